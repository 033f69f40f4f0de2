//! The properties the fuzz targets check. They are defined once, in
//! `tests/properties/mod.rs`, so that the regression tests replay exactly what the fuzzer runs.

#[path = "../../tests/properties/mod.rs"]
pub mod properties;
