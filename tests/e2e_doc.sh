#!/bin/sh
# End-to-end checks of the man pages and of make install:
#   - doc/engage.1 and doc/engage.ini.5 format without a warning
#     (groff -man -ww) and carry the version of VERSION;
#   - every command and every long and short option `engage --help` prints
#     has its entry in engage.1 (COMMANDS and OPTIONS);
#   - every key engage.ini.5 lists under SECTIONS AND KEYS is accepted by the
#     parser in its section, a made-up key is refused, and the configs the
#     page shows (SYNOPSIS, EXAMPLES) are accepted;
#   - every file a run writes (with a roster's units and a previous wave) has
#     its entry under OUTPUT FILES of engage.ini.5, which names every column
#     of its header;
#   - KEYS (tests/core/config_keys.c) prints the parser's table of keys, one
#     "section key" per line: every key in it is in engage.ini.5 under its
#     section, and the page lists no other;
#   - make install DESTDIR=... lays out bin/engage and share/man/man1,
#     man5 with modes 755 and 644, the installed engage runs --version, and
#     make uninstall removes exactly those files.
#   usage: tests/e2e_doc.sh ENGAGE KEYS
suite=e2e_doc
show_ok=1
ENGAGE=$1
KEYS=$2
. "$(dirname "$0")/e2e_lib.sh"

man1=doc/engage.1
man5=doc/engage.ini.5
version=$(cat VERSION)

# --- the pages format cleanly -------------------------------------------------
for page in $man1 $man5; do
    if groff -man -ww -z "$page" > "$work/lint" 2>&1 && [ ! -s "$work/lint" ]; then
        ok "$page: groff -man -ww without a warning"
    else
        bad "$page: groff -man -ww says: $(head -n 3 "$work/lint")"
    fi
    groff -man -Tutf8 -P-cbou "$page" > "$work/page.txt" 2> /dev/null
    if grep -q '^NAME' "$work/page.txt" && grep -q '^SEE ALSO' "$work/page.txt"; then
        ok "$page: renders as text, NAME to SEE ALSO"
    else bad "$page: rendered text lacks NAME or SEE ALSO"; fi
    if grep -q "^\.TH .* \"engage $version\" " "$page"; then ok "$page: version $version"
    else bad "$page: .TH does not name engage $version (VERSION)"; fi
done
if command -v man > /dev/null 2>&1; then
    if MANPAGER=cat MANWIDTH=80 man -l $man1 2> /dev/null | grep -q 'engage init'; then ok "man -l $man1"
    else bad "man -l $man1 shows no 'engage init'"; fi
fi

# plain FILE SECTION: the roff source of one .SH section, with the escapes
# for a minus sign, font changes and zero-width breaks taken out.
plain() {
    awk -v want="$2" '/^\.SH / { on = ($0 == ".SH " want || $0 == ".SH \"" want "\"") } on' "$1" |
        sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g'
}
# tags FILE SECTION: the tag lines (the line after each .TP) of a section.
tags() { plain "$1" "$2" | awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }'; }
# has_token WORD: stdin holds WORD delimited by neither a letter, digit nor -.
has_token() {
    grep -Eq -- "(^|[^-A-Za-z0-9_])$1([^-A-Za-z0-9_]|\$)"
}

# --- every command and option of --help in engage.1 ---------------------------
"$ENGAGE" --help > "$work/help" 2>&1
expect_status 0 $? "engage --help"
tags $man1 OPTIONS > "$work/option_tags"
tags $man1 COMMANDS > "$work/command_tags"
plain $man1 SYNOPSIS > "$work/synopsis"

grep -Eo -- '(^|[^-A-Za-z0-9])--[a-z][a-z-]*' "$work/help" | sed 's/^[^-]*//' | sort -u > "$work/long"
grep -Eo -- '(^|[][ (|,])-[A-Za-z]([], )|]|$)' "$work/help" | grep -Eo -- '-[A-Za-z]' | sort -u > "$work/short"
[ "$(wc -l < "$work/long")" -ge 10 ] && ok "--help names $(wc -l < "$work/long") long options" ||
    bad "--help names only $(wc -l < "$work/long") long options"
[ "$(wc -l < "$work/short")" -ge 3 ] && ok "--help names $(wc -l < "$work/short") short options" ||
    bad "--help names only $(wc -l < "$work/short") short options"
for option in $(cat "$work/long" "$work/short"); do
    if has_token "$option" < "$work/option_tags"; then ok "engage.1 OPTIONS: $option"
    else bad "engage.1 has no OPTIONS entry for $option (engage --help prints it)"; fi
done

# The commands: the usage lines' `engage WORD` and the list under "commands:".
{
    grep -Eo '^(usage:)? +engage [a-z]+' "$work/help" | awk '{ print $NF }'
    awk '/^commands:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  [a-z]+  / { print $1 }' "$work/help"
} | sort -u > "$work/commands"
[ "$(wc -l < "$work/commands")" -ge 5 ] && ok "--help names $(wc -l < "$work/commands") commands" ||
    bad "--help names only $(wc -l < "$work/commands") commands"
for command in $(cat "$work/commands"); do
    if grep -Eq "^\.B $command( |\$)" "$work/command_tags"; then ok "engage.1 COMMANDS: $command"
    else bad "engage.1 has no COMMANDS entry for $command"; fi
    if grep -Eq "^\.SY \"engage $command\"" "$work/synopsis"; then ok "engage.1 SYNOPSIS: engage $command"
    else bad "engage.1 SYNOPSIS lacks engage $command"; fi
done

# --- the keys of engage.ini.5 ---------------------------------------------------
# "section key" for every `.B key` tag under a .SS "[section ...]" of
# SECTIONS AND KEYS; [labels] entries are free text (.I TEXT = VALUE).
plain $man5 "SECTIONS AND KEYS" | awk '
    /^\.SS / { gsub(/^\.SS "?\[|\].*$/, ""); split($0, w, " "); section = w[1]; next }
    tp && /^\.B / { print section, $2 }
    { tp = /^\.TP/ }' > "$work/page_keys"
[ "$(wc -l < "$work/page_keys")" -ge 20 ] && ok "engage.ini.5 lists $(wc -l < "$work/page_keys") keys" ||
    bad "engage.ini.5 lists only $(wc -l < "$work/page_keys") keys"

printf 'respondent_id,manager_id,Q1,Q2\nr1,m1,1,2\nr2,m1,3,4\n' > "$work/tiny.csv"
# refused SECTION KEY: the parser's message when KEY = 1 is read in SECTION
# ("" when it takes the key, whatever it then says of the value).
refused() {
    case $1 in
        scale) header="[scale s]" ;;
        labels) header="[labels]" ;;
        *) header="[$1]" ;;
    esac
    printf '%s\n%s = 1\n' "$header" "$2" > "$work/key.ini"
    "$ENGAGE" check -q -c "$work/key.ini" "$work/tiny.csv" 2>&1 > /dev/null |
        grep -E 'unknown (key|section)|outside any section'
}
while read -r section key; do
    message=$(refused "$section" "$key")
    if [ -z "$message" ]; then ok "parser accepts [$section] $key"
    else bad "engage.ini.5 lists [$section] $key, which the parser refuses: $message"; fi
done < "$work/page_keys"
if [ -n "$(refused input colour)" ]; then ok "parser refuses a made-up key ([input] colour)"
else bad "a made-up key [input] colour is not refused: the acceptance check above cannot fail"; fi

# The configs the page shows: each .EX block of SYNOPSIS and EXAMPLES is read
# by engage check against tiny.csv, which lacks their columns: the parser
# must take the whole file, so the only error allowed is the first item
# missing from tiny.csv.  A roster the examples name is there.
examples=0
printf 'employee_email,manager_id,department\nr1@example.com,m1,d1\n' > "$work/roster.csv"
for part in SYNOPSIS EXAMPLES; do
    plain $man5 $part | sed 's/\\(dq/"/g' | awk -v dir="$work" -v part="$part" '
        /^\.EX/ { n++; file = dir "/" part "-" n ".ini"; on = 1; next }
        /^\.EE/ { on = 0; close(file); next }
        on { print > file }'
done
for ini in "$work"/SYNOPSIS-*.ini "$work"/EXAMPLES-*.ini; do
    [ -f "$ini" ] || continue
    examples=$((examples + 1))
    "$ENGAGE" check -q -c "$ini" "$work/tiny.csv" > /dev/null 2> "$work/example.err"
    st=$?
    if [ "$st" = 78 ] && grep -q "names column .*, which $work/tiny.csv does not have" "$work/example.err"; then
        ok "engage.ini.5 example $(basename "$ini"): read to the end (exit $st: $(head -n 1 "$work/example.err"))"
    else bad "engage.ini.5 example $(basename "$ini"): exit $st: $(head -n 1 "$work/example.err")"; fi
done
[ "$examples" -ge 3 ] && ok "engage.ini.5 shows $examples configs" || bad "engage.ini.5 shows $examples configs"

# The parser's own table against the page, both ways.
"$KEYS" | sort -u > "$work/parser_keys"
[ "$(wc -l < "$work/parser_keys")" -ge 20 ] && ok "the parser's table has $(wc -l < "$work/parser_keys") keys" ||
    bad "the parser's table has only $(wc -l < "$work/parser_keys") keys"
sort -u "$work/page_keys" > "$work/page_keys.sorted"
comm -23 "$work/parser_keys" "$work/page_keys.sorted" > "$work/undocumented"
comm -13 "$work/parser_keys" "$work/page_keys.sorted" > "$work/unknown"
if [ ! -s "$work/undocumented" ]; then ok "every key of the parser's table is in engage.ini.5"
else bad "keys the parser takes but engage.ini.5 lacks: $(tr '\n' ';' < "$work/undocumented")"; fi
if [ ! -s "$work/unknown" ]; then ok "every key of engage.ini.5 is in the parser's table"
else bad "keys engage.ini.5 lists but the parser's table lacks: $(tr '\n' ';' < "$work/unknown")"; fi

# --- every output file and column in engage.ini.5 -------------------------------
"$ENGAGE" run -q -c datasets/sample-quarter-googleforms.ini -o "$work/out" \
    --previous datasets/sample-quarter-googleforms.csv.gz datasets/sample-quarter-googleforms.csv.gz
expect_status 0 $? "a run with units and a previous wave"
tags $man5 "OUTPUT FILES" > "$work/file_tags"
plain $man5 "OUTPUT FILES" > "$work/files_text"
for file in $(ls "$work/out"); do
    if grep -Eq "^\.B $file\$" "$work/file_tags"; then ok "engage.ini.5 OUTPUT FILES: $file"
    else bad "engage.ini.5 has no OUTPUT FILES entry for $file"; fi
    case $file in *.csv) ;; *) continue ;; esac
    missing=""
    for column in $(head -n 1 "$work/out/$file" | tr ',' ' '); do
        grep -Eq "^\.BR? $column( |\$)" "$work/files_text" || missing="$missing $column"
    done
    if [ -z "$missing" ]; then ok "engage.ini.5 names every column of $file"
    else bad "engage.ini.5 lacks columns of $file:$missing"; fi
done

# --- make install / uninstall ---------------------------------------------------
dest=$work/dest
mkdir -p "$dest/usr/local/bin"
echo keep > "$dest/usr/local/bin/other-program"
make -s install DESTDIR="$dest" > "$work/install.out" 2>&1
expect_status 0 $? "make install DESTDIR=..."
for entry in "bin/engage 755" "share/man/man1/engage.1 644" "share/man/man5/engage.ini.5 644"; do
    set -- $entry
    file=$dest/usr/local/$1
    if [ -f "$file" ] && [ "$(stat -c %a "$file")" = "$2" ]; then ok "installed $1, mode $2"
    else bad "make install: $1 missing or not mode $2"; fi
done
cmp -s "$dest/usr/local/share/man/man1/engage.1" $man1 &&
    cmp -s "$dest/usr/local/share/man/man5/engage.ini.5" $man5 && ok "installed man pages are doc/'s" ||
    bad "installed man pages differ from doc/"
got=$("$dest/usr/local/bin/engage" --version 2>&1)
if [ "$got" = "engage $version" ]; then ok "installed engage --version: $got"
else bad "installed engage --version says '$got', expected 'engage $version'"; fi
if MANPATH="$dest/usr/local/share/man" MANPAGER=cat man engage.ini 2> /dev/null | grep -q 'min_group'; then
    ok "man engage.ini finds the installed page"
elif ! command -v man > /dev/null 2>&1; then :
else bad "man engage.ini does not find the installed page"; fi

make -s uninstall DESTDIR="$dest" > "$work/uninstall.out" 2>&1
expect_status 0 $? "make uninstall DESTDIR=..."
left=$(cd "$dest" && find . -type f | sort | tr '\n' ' ')
if [ "$left" = "./usr/local/bin/other-program " ]; then ok "make uninstall removes exactly the installed files"
else bad "after make uninstall the files are: $left"; fi

make -s install DESTDIR="$dest" PREFIX=/opt/engage > "$work/install.out" 2>&1
if [ -x "$dest/opt/engage/bin/engage" ] && [ -f "$dest/opt/engage/share/man/man5/engage.ini.5" ]; then
    ok "make install PREFIX=/opt/engage"
else bad "make install PREFIX=/opt/engage: files not under opt/engage"; fi
make -s uninstall DESTDIR="$dest" PREFIX=/opt/engage > /dev/null 2>&1
[ -z "$(find "$dest/opt" -type f)" ] && ok "make uninstall PREFIX=/opt/engage" ||
    bad "make uninstall PREFIX=/opt/engage left files"

finish
