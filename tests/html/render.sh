#!/bin/sh
# Render a report.html with headless Chromium at a window width and check
# from the DOM that it fits: tests/html/fit_check.js, appended to a copy of
# the page, runs in a frame of that width (a headless window is at least
# 500 px wide) and reports "FIT-OK" or "FIT-FAIL" with what overflows or is
# too small; then the whole page is drawn to PNG at that width.
#   usage: tests/html/render.sh PAGE WIDTH PNG
# Prints the verdict; exits 0 when it fits, 1 when it does not, 2 when
# Chromium failed.
page=$1
width=$2
png=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/engage-render.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
# the copy lies beside the page, so that it sees what the page sees
copy=$(dirname "$page")/.fit-$$.html
{ sed '/<\/body>/,$d' "$page"; echo '<script>'; cat "$here/fit_check.js"; echo '</script></body></html>'; } > "$copy"
abs=$(cd "$(dirname "$copy")" && pwd)/$(basename "$copy")
cat > "$tmp/host.html" <<HOST
<!DOCTYPE html><html><body style="margin:0">
<iframe src="file://$abs" style="width:${width}px;height:1000px;border:0"></iframe>
<script>window.addEventListener('message', function (m) {
  var p = document.createElement('pre'); p.textContent = 'RESULT ' + m.data; document.body.appendChild(p); });</script>
</body></html>
HOST
win=$((width + 40))
[ $win -lt 600 ] && win=600
timeout 120 chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
    --window-size=$win,1100 --virtual-time-budget=5000 --dump-dom "file://$tmp/host.html" \
    > "$tmp/dom" 2> /dev/null
rm -f "$copy"
verdict=$(awk '/^<pre>RESULT /{p=1; sub(/^<pre>RESULT /, "")} p{sub(/<\/pre>.*/, ""); print} p&&/<\/pre>/{exit}' "$tmp/dom" |
    sed -e 's/&gt;/>/g' -e 's/&lt;/</g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g')
if [ -z "$verdict" ]; then
    echo "no verdict from chromium"
    exit 2
fi
echo "$verdict"
height=$(echo "$verdict" | sed -n '1s/.* height=\([0-9]*\).*/\1/p')
[ -n "$height" ] && [ "$height" -gt 0 ] || height=4000
[ "$height" -gt 20000 ] && height=20000
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$png" \
    --window-size="$width,$height" "file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" \
    > /dev/null 2>&1 || exit 2
case $verdict in
FIT-OK*) exit 0 ;;
*) exit 1 ;;
esac
