#!/usr/bin/env bash
# Builds a local Git repository that `DYLINT_CLIPPY_REPO` can point at, so that the Dylint
# driver builds without reaching GitHub.
#
# Why: the `dylint_driver` build clones rust-clippy to read `clippy_utils/src/sym.rs` for the
# toolchain it is built for. It looks for the commit whose `rust-toolchain.toml` sets that
# channel, and it needs that commit to have a parent with another channel: a one-commit
# repository fails with "Could not find revision". We build such a history from the
# `clippy_utils` package source that cargo has already downloaded from crates.io:
#
#   parent: clippy_utils/ = the crates.io package, rust-toolchain.toml with a placeholder channel
#   HEAD:   the same clippy_utils/, rust-toolchain.toml with the pinned channel
#
# (Dylint walks the history from HEAD and reads `clippy_utils/Cargo.toml` in every commit it
# visits, so the parent needs it too.)
#
# Usage: lints/scripts/offline-clippy-repo.sh [DEST]
#   DEST defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/ctxlint/clippy-repo.
#   Prints the repository's absolute path on stdout; then:
#   export DYLINT_CLIPPY_REPO="$(lints/scripts/offline-clippy-repo.sh)"
set -euo pipefail

lints_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/ctxlint/clippy-repo}
mkdir -p "$(dirname "$dest")"
dest=$(cd "$(dirname "$dest")" && pwd)/$(basename "$dest")

# The channel and the clippy_utils version are read from the files that pin them, so that
# this script follows a toolchain bump without edits.
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$lints_dir/rust-toolchain.toml")
version=$(sed -n 's/^clippy_utils *= *"=\(.*\)"/\1/p' "$lints_dir/Cargo.toml")
if [[ -z $channel || -z $version ]]; then
    echo "offline-clippy-repo: cannot read the channel or the clippy_utils version" >&2
    exit 2
fi

# Already built for this channel and version: nothing to do.
if [[ -d $dest/.git ]] &&
    [[ $(git -C "$dest" show HEAD:rust-toolchain.toml 2>/dev/null) == *"\"$channel\""* ]] &&
    [[ $(git -C "$dest" show HEAD:clippy_utils/Cargo.toml 2>/dev/null) == *"version = \"$version\""* ]]; then
    echo "$dest"
    exit 0
fi

# `cargo fetch` puts the package source under $CARGO_HOME/registry/src (crates.io only).
(cd "$lints_dir" && cargo fetch --quiet) >&2
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"clippy_utils-$version" 2>/dev/null | head -n 1)
if [[ ! -f $src/src/sym.rs ]]; then
    echo "offline-clippy-repo: clippy_utils-$version source not found after cargo fetch" >&2
    exit 2
fi

rm -rf "$dest"
mkdir -p "$dest"
git_() {
    # Fixed identity and dates: the repository is the same on every machine.
    GIT_AUTHOR_DATE=2000-01-01T00:00:00Z GIT_COMMITTER_DATE=2000-01-01T00:00:00Z \
        git -C "$dest" -c user.name=ctxlint -c user.email=ctxlint@localhost \
        -c commit.gpgsign=false -c init.defaultBranch=master "$@"
}
git_ init --quiet

# The crates.io package ships a normalized Cargo.toml; its `version` is what Dylint reads.
cp -R "$src" "$dest/clippy_utils"
printf '[toolchain]\nchannel = "nightly-2000-01-01"\n' >"$dest/rust-toolchain.toml"
git_ add -A
git_ commit --quiet -m "clippy_utils $version with a placeholder channel (HEAD needs a parent with another)"

printf '[toolchain]\nchannel = "%s"\ncomponents = ["llvm-tools-preview", "rustc-dev"]\n' \
    "$channel" >"$dest/rust-toolchain.toml"
git_ add -A
git_ commit --quiet -m "clippy_utils $version for $channel, from the crates.io package"

echo "$dest"
