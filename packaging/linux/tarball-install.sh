#!/usr/bin/env bash
# Installs Hearth from this folder for the current user, without dpkg or root:
#   the app in ~/.local/opt/hearth, the `hearth` command in ~/.local/bin, Hearth in the applications menu.
#   ./install.sh              install (or update)
#   ./install.sh --uninstall  remove it again; your conversations in ~/.local/share/Hearth are kept
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix="${PREFIX:-$HOME/.local}"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
app_dir="$prefix/opt/hearth"
bin="$prefix/bin/hearth"
entry="$data_home/applications/hearth.desktop"
icon="$data_home/icons/hicolor/scalable/apps/hearth.svg"

refresh_menu() {
  command -v update-desktop-database >/dev/null && update-desktop-database "$data_home/applications" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$app_dir"
  rm -f "$bin" "$entry" "$icon"
  refresh_menu
  echo "Hearth is uninstalled. Your conversations and documents are still in $data_home/Hearth."
  exit 0
fi

mkdir -p "$prefix/opt" "$prefix/bin" "$(dirname "$entry")" "$(dirname "$icon")"
# Into a new folder first, then swapped in: a running Hearth keeps its files until it exits.
rm -rf "$app_dir.new"
cp -a "$here/hearth" "$app_dir.new"
rm -rf "$app_dir"
mv "$app_dir.new" "$app_dir"
ln -sfn "$app_dir/hearth" "$bin"
cp "$here/hearth.svg" "$icon"
sed -e "s|@HEARTH@|$app_dir/hearth|" -e "s|@ICON@|hearth|" "$here/hearth.desktop.in" > "$entry"
chmod +x "$entry"
refresh_menu
echo "Hearth is installed: start it from the applications menu, or run $bin"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "($prefix/bin is not on your PATH: add it to use the 'hearth' command in a terminal.)" ;;
esac
"$app_dir/hearth" --version >/dev/null
