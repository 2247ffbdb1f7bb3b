#!/usr/bin/env bash
# scripts/build-image.sh NODEX [TAG]: build the nodex container image with podman from a built binary.
#
# Stages NODEX (stripped) at /usr/bin/nodex, every shared library `ldd` resolves for it at the same path as
# on this machine, the dynamic loader named in its ELF header, and a two-line /etc/passwd and /etc/group,
# packs them into CONTEXT/rootfs.tar and builds ./Containerfile on that context (FROM scratch: nothing is
# pulled). TAG defaults to nodex:<version from `NODEX --version`>. Prints the tag on the last line.
set -euo pipefail

die() {
  echo "build-image: $*" >&2
  exit 1
}

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $0 PATH_TO_NODEX [TAG]"
nodex=$1
[[ -x $nodex ]] || die "'$nodex' is not an executable file (build it first: make build)"
command -v podman >/dev/null || die "podman is not installed (Debian: apt-get install podman)"

repo=$(cd "$(dirname "$0")/.." && pwd)
version_line=$("$nodex" --version) || die "'$nodex --version' failed"
# "nodex version 0.1.0 (revision abc123)"
version=$(awk '{print $3}' <<<"$version_line")
revision=$(sed -nE 's/.*\(revision ([^)]*)\).*/\1/p' <<<"$version_line")
[[ -n $version ]] || die "cannot read the version from: $version_line"
tag=${2:-nodex:$version}

context=$(mktemp -d "${TMPDIR:-/tmp}/nodex-image.XXXXXX")
trap 'rm -rf "$context"' EXIT
rootfs=$context/rootfs
mkdir -p "$rootfs/usr/bin" "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"

# A stripped copy: the build keeps debug info, the image does not need it.
strip --strip-unneeded -o "$rootfs/usr/bin/nodex" "$nodex" || die "strip failed"

# Each library at the path ldd resolved it to, so the loader finds it in its default directories;
# cp -L copies the file behind the soname symlink under the soname.
interpreter=$(readelf -l "$nodex" | sed -nE 's/.*Requesting program interpreter: ([^]]+)\].*/\1/p')
[[ -n $interpreter ]] || die "$nodex has no program interpreter: is it a static binary? (this script expects a dynamic one)"
libs=("$interpreter")
while read -r lib; do
  libs+=("$lib")
done < <(ldd "$nodex" | awk '$2 == "=>" && $3 ~ /^\// {print $3}')
for lib in "${libs[@]}"; do
  [[ -e $lib ]] || die "library $lib not found"
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
if grep -q 'not found' < <(ldd "$nodex"); then
  die "ldd cannot resolve every library of $nodex: $(ldd "$nodex" | grep 'not found' | tr '\n' ' ')"
fi

printf 'root:x:0:0:root:/:/usr/bin/nodex\nnobody:x:65534:65534:nobody:/nonexistent:/usr/bin/nodex\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

# One archive, so one layer, with the ownership podman's COPY would reset to root: directories, /etc and
# /tmp belong to root; the executable and the libraries to 65534, read-only (0555). nodex pages out the
# startup-only pages of its own code once it serves (src/base/memory_trim.h), and the kernel does that
# only for the files' owner. With the DaemonSet's readOnlyRootFilesystem the owner cannot change them.
code=("usr/bin/nodex")
for lib in "${libs[@]}"; do code+=("${lib#/}"); done
(
  cd "$rootfs"
  find . -mindepth 1 -type d -printf '%P\n' | sort >"$context/dirs"
  tar --numeric-owner --owner=0 --group=0 --no-recursion -cf "$context/rootfs.tar" -T "$context/dirs" etc/passwd etc/group
  tar --numeric-owner --owner=65534 --group=65534 --mode=0555 -rf "$context/rootfs.tar" "${code[@]}"
) || die "packing the image files failed"

echo "build-image: ${#libs[@]} libraries, $(du -sh "$rootfs" | cut -f1) in all" >&2
podman build --quiet -f "$repo/Containerfile" --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
  -t "$tag" "$context" >&2 || die "podman build failed"
echo "$tag"
