#!/usr/bin/env bash
# Build the Debian package of the device side (tedge, tedge-mapper, tedge-agent) with dpkg-deb.
#   scripts/build-deb.sh [OUT_DIR]     writes OUT_DIR/c8ylink_<version>_<arch>.deb (default: dist) and
#                                      prints its path
# Layout: a venv under /opt/c8ylink (Debian's python3, the wheel without extras, no pip), links in
# /usr/bin, the systemd units in /lib/systemd/system, bash/zsh/fish completions, the diagnostic plugins
# in /usr/share/tedge/diag-plugins, and the maintainer
# scripts of packaging/deb (postinst: the tedge user and `tedge init`; prerm: stop the services;
# postrm: purge removes /etc/tedge, /var/tedge, /var/log/tedge and mosquitto's include_dir line).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "build-deb: $*" >&2; exit 1; }

OUT=${1:-dist}
PYTHON=${DEB_PYTHON:-/usr/bin/python3}   # the interpreter of the target system (the venv links to it)
PREFIX=/opt/c8ylink
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is missing (Debian's dpkg package)"
[ -x "$PYTHON" ] || die "$PYTHON is missing (Debian's python3 and python3-venv packages)"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n1)
arch=$(dpkg --print-architecture)
pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/root
venv=$stage$PREFIX

"$PYTHON" -m venv "$venv" || die "$PYTHON -m venv failed (install python3-venv)"
"$venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" . 2>/dev/null ||
    die "could not build the wheel"
"$venv/bin/python" -m pip install --quiet --no-compile "$work"/dist/c8ylink-*.whl 2>/dev/null ||
    die "could not install the wheel and its dependencies"

# generated with the staged install before it is relocated
mkdir -p "$stage/lib/systemd/system" "$stage/usr/share/bash-completion/completions" \
    "$stage/usr/share/zsh/vendor-completions" "$stage/usr/share/fish/vendor_completions.d" "$stage/usr/bin"
"$venv/bin/python" - "$stage/lib/systemd/system" <<'PY'
import pathlib, sys
from c8ylink.device.install.units import UnitSpec, render_units
units = render_units(UnitSpec(tedge_mapper="/usr/bin/tedge-mapper", tedge_agent="/usr/bin/tedge-agent"))
for name, text in units.items():
    (pathlib.Path(sys.argv[1]) / name).write_text(text.replace("`tedge init`", "the c8ylink package"))
PY
# the diagnostic plugins of `tedge diag collect`, where diag.plugin_paths points by default
"$venv/bin/python" -c 'import sys; from c8ylink.device.install.apply import install_diag_plugins as i; i(sys.argv[1])' \
    "$stage/usr/share/tedge/diag-plugins"
"$venv/bin/tedge" completions bash >"$stage/usr/share/bash-completion/completions/tedge"
"$venv/bin/tedge" completions zsh >"$stage/usr/share/zsh/vendor-completions/_tedge"
"$venv/bin/tedge" completions fish >"$stage/usr/share/fish/vendor_completions.d/tedge.fish"

# a device install needs neither pip nor setuptools at run time
"$venv/bin/python" -m pip uninstall --quiet --yes pip setuptools >/dev/null 2>&1 || true
# relocate: the scripts' shebangs and the venv's own files name $PREFIX, not the staging directory
grep -rlI --null -F "$venv" "$venv/bin" "$venv/pyvenv.cfg" | xargs -0 -r sed -i "s|$venv|$PREFIX|g"
find "$venv" -name __pycache__ -prune -exec rm -rf {} +
"$PYTHON" -m compileall -q -s "$stage" -p / "$venv/lib" >/dev/null
for program in tedge tedge-mapper tedge-agent; do
    ln -s "$PREFIX/bin/$program" "$stage/usr/bin/$program"
done

mkdir -p "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@PYVER@/$pyver/" -e "s/@SIZE@/$size/" \
    packaging/deb/control.in >"$stage/DEBIAN/control"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$stage/DEBIAN/"

mkdir -p "$OUT"
deb="$OUT/c8ylink_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
