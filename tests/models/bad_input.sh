#!/bin/bash
# Bad datasets: a clear one-line error naming the file (and line:column), exit 2, no crash.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

check() { # name content expected-substring
	printf '%b' "$2" >"$T/$1"
	"$ANOMON" train --model logreg --data "$T/$1" --out "$T/m.json" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] || fail "$1: exit $rc, not 2 ($(cat "$T/err"))"
	grep -qF -- "$3" "$T/err" || fail "$1: \"$(cat "$T/err")\" lacks \"$3\""
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$1: more than one line: $(cat "$T/err")"
	[ -e "$T/m.json" ] && fail "$1: a model was written"
	return 0
}
check empty.csv '' "$T/empty.csv: empty file"
check nolabel.csv 'a,b\n1,2\n3,4\n' 'no "label" column'
check text.csv 'label,a\n0,1\n1,two\n' "$T/text.csv:3:3: column \"a\": expected a finite number, got \"two\""
check oneclass.csv 'label,a\n0,1\n0,2\n' 'all 2 rows are labelled normal'
check nan.csv 'label,a,b\n0,1,2\n1,NaN,3\n' "$T/nan.csv:3:3:"
check inf.csv 'label,a,b\n0,1,2\n1,3,inf\n' "$T/inf.csv:3:5:"
check header.csv 'label,a\n' 'no data rows'
check bad.jsonl '{"names":["a"],"values":[1],"label":0}\n{"names":["a"],"values":[1e999],"label":1}\n' "$T/bad.jsonl:2:"
printf 'label,a\n0,1\n1,2\n' >"$T/ok.csv"
printf 'label,b\n0,1\n1,2\n' >"$T/other.csv"
"$ANOMON" train --model logreg --data "$T/ok.csv" "$T/other.csv" --out "$T/m.json" 2>"$T/err"
[ $? -eq 2 ] && grep -q 'feature 0 is "b"' "$T/err" || fail "mismatched files: $(cat "$T/err")"
echo ok
