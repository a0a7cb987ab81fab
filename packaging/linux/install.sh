#!/usr/bin/env bash
# Makes Hearth a double-click app on a Linux desktop: sets up .venv (make setup), then adds a launcher to the
# applications menu (and the desktop, if there is one) that starts the app from this checkout.
# Undo with: packaging/linux/install.sh --remove
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
desktop_dir=$(xdg-user-dir DESKTOP 2>/dev/null || echo "$HOME/Desktop")
entry="$apps/hearth.desktop"

if [ "${1:-}" = "--remove" ]; then
  rm -f "$entry" "$desktop_dir/hearth.desktop"
  echo "Hearth's launcher removed (your conversations are kept)."
  exit 0
fi

make -C "$repo" setup
mkdir -p "$apps"
sed -e "s|@HEARTH@|$repo/.venv/bin/hearth|" -e "s|@ICON@|$repo/resources/hearth.svg|" \
  "$repo/packaging/linux/hearth.desktop.in" > "$entry"
chmod +x "$entry"
if [ -d "$desktop_dir" ]; then
  cp "$entry" "$desktop_dir/hearth.desktop"
  chmod +x "$desktop_dir/hearth.desktop"
  # GNOME asks before running launchers it has not been told to trust.
  command -v gio >/dev/null && gio set "$desktop_dir/hearth.desktop" metadata::trusted true 2>/dev/null || true
fi
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" 2>/dev/null || true
echo "Hearth is in your applications menu: $entry"
