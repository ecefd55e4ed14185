#!/usr/bin/env bash
# Provides CRIU >= 4.1 and proves it with `criu check`; prints the path of the criu to use as the
# last line of stdout, everything else on stderr. Idempotent and cached.
#
# 1. A system `criu` (on PATH) of version >= 4.1 is used as it is.
# 2. Otherwise Debian trixie's criu and its library closure, glibc and its loader included, are
#    fetched with `apt-get download` from the mirror the system's own apt sources name, through a
#    private sources file, lists and cache (the system's apt state is not touched), unpacked with
#    `dpkg -x` into $MEDES_CACHE/criu-<version>/root, and run by a wrapper,
#    $MEDES_CACHE/criu-<version>/bin/criu, through the unpacked loader. The stable path
#    $MEDES_CACHE/bin/criu links to that wrapper; org.medes.criu.tool.CriuLocator looks there.
#    (Bookworm's criu 3.17 fails on kernels >= 6.13: a vDSO layout change fixed in CRIU 4.1.)
#
# The cache lives outside the repository (default /var/cache/medes) because it is machine state:
# it is root's, is shared by every checkout and worktree, and survives `git clean`.
# A second run makes no network access: the prefix is complete (it is moved into place only after
# `criu check` passed) and a stamp records the kernel that check passed on; on another kernel the
# check is run again, offline.
#
# Environment:
#   MEDES_CACHE             cache folder (default /var/cache/medes)
#   MEDES_CRIU_SUITE        Debian suite to take criu from (default trixie)
#   MEDES_DEBIAN_MIRROR     archive URI to use instead of the one in the system's apt sources
#   MEDES_CRIU_NO_SYSTEM=1  ignore a system criu even if it is recent enough
set -euo pipefail

readonly MIN_VERSION=4.1
readonly CACHE="${MEDES_CACHE:-/var/cache/medes}"
readonly SUITE="${MEDES_CRIU_SUITE:-trixie}"
readonly STABLE="$CACHE/bin/criu"
readonly DEFAULT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly STARTED=$(date +%s%N)

log() { echo "criu.sh: $*" >&2; }
die() { echo "criu.sh: error: $*" >&2; exit 1; }
elapsed() { echo "$(( ($(date +%s%N) - STARTED) / 1000000 )) ms"; }

# Prints the version from `<exe> --version` ("Version: 4.1.1"), or nothing.
criu_version() {
  "$@" --version 2>/dev/null | sed -n 's/^Version:[[:space:]]*\([0-9][0-9.]*\).*/\1/p' | head -n1
}

version_ok() { [[ -n $1 ]] && dpkg --compare-versions "$1" ge "$MIN_VERSION"; }

# Runs `criu check`, showing its output on stderr; fails with that output named.
run_check() {
  local exe=$1 out
  if ! out=$("$exe" check 2>&1); then
    printf '%s\n' "$out" >&2
    die "'$exe check' failed (output above) on kernel $(uname -r)"
  fi
  printf '%s\n' "$out" | sed 's/^/criu.sh:   /' >&2
}

done_with() {
  log "using $1 (CRIU $2), $(elapsed)"
  printf '%s\n' "$1"
  exit 0
}

# --- 1. a recent enough system criu -------------------------------------------------------------
if [[ ${MEDES_CRIU_NO_SYSTEM:-0} != 1 ]] && system=$(command -v criu 2>/dev/null) \
    && [[ $(readlink -f "$system") != "$CACHE"/* ]]; then
  v=$(criu_version "$system")
  if version_ok "$v"; then
    log "system criu $system is version $v >= $MIN_VERSION; running criu check \
(MEDES_CRIU_NO_SYSTEM=1 takes Debian $SUITE's instead)"
    run_check "$system"
    done_with "$system" "$v"
  fi
  log "system criu $system is version ${v:-unknown} < $MIN_VERSION; using Debian $SUITE's criu instead"
fi

# --- 2. the cached private copy -----------------------------------------------------------------
# Only a complete prefix is ever moved into place, so a stable link that resolves means the
# prefix is complete; the stamp says on which kernel `criu check` passed.
cached_ok() {
  [[ -x $STABLE ]] || return 1
  local prefix stamp
  prefix=$(dirname "$(dirname "$(readlink -f "$STABLE")")")
  stamp="$prefix/check-passed"
  [[ -f $stamp && $(cat "$stamp") == "$(uname -r)" ]]
}

if cached_ok; then
  done_with "$STABLE" "$(criu_version "$STABLE")"
fi

[[ $(id -u) -eq 0 ]] || die "no CRIU >= $MIN_VERSION is installed and only root can install one \
into $CACHE and run 'criu check'; run $0 as root"
[[ $(dpkg --print-architecture) == amd64 ]] || die "only amd64 is supported \
(found $(dpkg --print-architecture)); install CRIU >= $MIN_VERSION on PATH instead"

mkdir -p "$CACHE/bin"
exec 9>"$CACHE/.criu.lock"
flock 9 # another run may be installing; wait for it, then look again
if cached_ok; then
  done_with "$STABLE" "$(criu_version "$STABLE")"
fi

# A prefix that is complete but was checked on another kernel: check again, offline.
if [[ -x $STABLE ]]; then
  prefix=$(dirname "$(dirname "$(readlink -f "$STABLE")")")
  log "$prefix was checked on another kernel; running criu check on $(uname -r)"
  run_check "$STABLE"
  uname -r >"$prefix/check-passed"
  done_with "$STABLE" "$(criu_version "$STABLE")"
fi

# --- 3. fetch Debian $SUITE's criu into a new prefix --------------------------------------------
# The mirror: the first `deb` source in the system's apt sources that serves this system's own
# release (deb822 .sources files and one-line .list files), with its Signed-By keyring if any.
find_mirror() {
  local codename=$1 f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk -v c="$codename" '
      function flush() {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && (" " suites " ") ~ (" " c " ") && enabled != "no") {
          split(uris, u, /[ \t]+/); if (u[1] != "") print u[1] "\t" signed
        }
        types = uris = suites = signed = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[A-Za-z-]+:/ {
        k = tolower(substr($0, 1, index($0, ":") - 1)); v = substr($0, index($0, ":") + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", v)
        if (k == "types") types = v; else if (k == "uris") uris = v
        else if (k == "suites") suites = v; else if (k == "signed-by") signed = v
        else if (k == "enabled") enabled = tolower(v)
      }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk -v c="$codename" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
        if ($(i + 1) == c) print $i "\t"
      }' "$f"
  done
}

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
keyring=$DEFAULT_KEYRING
if [[ -n ${MEDES_DEBIAN_MIRROR:-} ]]; then
  mirror=$MEDES_DEBIAN_MIRROR
  origin="MEDES_DEBIAN_MIRROR"
else
  [[ -n $codename ]] || die "cannot tell this system's release (no VERSION_CODENAME in /etc/os-release); set MEDES_DEBIAN_MIRROR"
  line=$(find_mirror "$codename" | head -n1)
  [[ -n $line ]] || die "no 'deb' source for suite '$codename' in /etc/apt/sources.list or \
/etc/apt/sources.list.d/; set MEDES_DEBIAN_MIRROR to a Debian archive URI"
  mirror=${line%%$'\t'*}
  signed=${line#*$'\t'}
  [[ -n $signed && -r $signed ]] && keyring=$signed
  origin="the mirror of $codename in the system's apt sources"
fi
[[ -r $keyring ]] || die "keyring $keyring not found (package debian-archive-keyring)"
log "no cached CRIU; taking Debian $SUITE's criu from $mirror ($origin)"

apt_dir="$CACHE/apt-$SUITE"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb [signed-by=$keyring] $mirror $SUITE main" >"$apt_dir/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o Dir::State::status=/dev/null # nothing counts as installed, so the closure is complete
  -o Dir::Etc::Preferences=/dev/null
  -o Dir::Etc::PreferencesParts=/dev/null
  -o APT::Architectures=amd64
  -o APT::Sandbox::User=root # downloads go to a root-only folder
)
if ! out=$(apt-get "${apt_opts[@]}" -q update 2>&1) || grep -q '^[WE]:' <<<"$out"; then
  printf '%s\n' "$out" >&2
  die "apt-get update of $mirror $SUITE failed (output above; a NO_PUBKEY error means $keyring lacks the $SUITE keys)"
fi

candidate=$(apt-cache "${apt_opts[@]}" policy criu | sed -n 's/^[[:space:]]*Candidate:[[:space:]]*//p')
[[ -n $candidate && $candidate != "(none)" ]] || die "no criu package in $mirror $SUITE"
upstream=${candidate#*:}; upstream=${upstream%%-*}
version_ok "$upstream" || die "Debian $SUITE has criu $candidate, older than $MIN_VERSION"

# The dependency closure (Depends and Pre-Depends, recursively): criu, glibc and the libraries.
mapfile -t packages < <(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends \
  --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances criu \
  | grep -v '^[[:space:]<]' | sort -u)
printf '%s\n' "${packages[@]}" | grep -qx libc6 || die "libc6 missing from criu's closure: ${packages[*]}"
log "criu $candidate needs ${#packages[@]} packages: ${packages[*]}"

prefix="$CACHE/criu-$candidate"
stage="$prefix.partial"
rm -rf "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/debs" "$stage/root" "$stage/bin"
(cd "$stage/debs" && apt-get "${apt_opts[@]}" -q download "${packages[@]}" >&2) \
  || die "apt-get download of ${packages[*]} from $mirror $SUITE failed"
for deb in "$stage"/debs/*.deb; do
  dpkg -x "$deb" "$stage/root"
  dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$stage/MANIFEST"
done
rm -rf "$stage/debs"

root="$stage/root"
loader=""
for l in usr/lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2 usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
  [[ -e $root/$l ]] && { loader=$l; break; }
done
[[ -n $loader ]] || die "no ld-linux-x86-64.so.2 in the unpacked libc6 under $root"
libs=()
for d in usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu; do
  [[ -d $root/$d && ! -L $root/$d ]] && libs+=("$prefix/root/$d")
done
bin=""
for b in usr/sbin/criu sbin/criu usr/bin/criu; do
  [[ -x $root/$b ]] && { bin=$b; break; }
done
[[ -n $bin ]] || die "no criu executable in the unpacked criu package under $root"
libpath=$(IFS=:; echo "${libs[*]}")

# Paths in the wrapper are those of the final prefix: the stage is renamed into place below.
cat >"$stage/bin/criu" <<EOF
#!/bin/sh
# Written by scripts/criu.sh: runs Debian $SUITE's criu $candidate through the glibc loader
# unpacked beside it (--library-path, not LD_LIBRARY_PATH, so programs criu starts use the
# system's libraries). Packages: $prefix/MANIFEST.
exec "$prefix/root/$loader" --library-path "$libpath" "$prefix/root/$bin" "\$@"
EOF
chmod 755 "$stage/bin/criu"

# Check from the final place, then publish the link.
rm -rf "$prefix"
mv "$stage" "$prefix"
trap 'rm -rf "$prefix"' EXIT # an unchecked prefix must not stay
v=$(criu_version "$prefix/bin/criu")
version_ok "$v" || die "$prefix/bin/criu --version printed '$("$prefix/bin/criu" --version 2>&1 | head -n3)', not >= $MIN_VERSION"
log "running $prefix/bin/criu check"
run_check "$prefix/bin/criu"
uname -r >"$prefix/check-passed"
trap - EXIT
ln -sfn "$prefix/bin/criu" "$STABLE"
done_with "$STABLE" "$v"
