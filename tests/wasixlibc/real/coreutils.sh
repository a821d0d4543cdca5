# coreutils.sh: dash driving busybox's coreutils-style applets (each a
# symlink to busybox in bin/) through pipelines, command substitution,
# xargs and find -exec, from the test root (run.sh). Paths are relative;
# dash's own echo/printf/test are builtins, so 'env NAME' runs busybox's.
# Nothing printed depends on the time, the user or the host's paths.
mkdir -p d/x d/y d/sub/deep
for n in 1 2 3 4 5; do echo "file $n" >"d/f$n.txt"; done
# Not touch: wasix-libc's utimensat fails UTIME_NOW (README.md).
for f in d/x/a.txt d/y/b.log d/c.log d/sub/deep/z.txt; do : >"$f"; done
echo "ls | sort | wc -l: $(ls d | sort | wc -l)"
ls d
ls -1 d/x d/y
ls -R d/sub
ls -a d/x | tr '\n' ' '; echo
cat d/f1.txt d/f2.txt | tr a-z A-Z | head -1
cat -n d/f3.txt d/f4.txt
echo "seq | xargs echo | wc -c: $(seq 1 1000 | xargs echo | wc -c)"
seq 1 1000 | xargs -n 7 echo | tail -2
seq 1 20 | xargs -I{} echo item {} | sed -n '3p;17p'
find d -name '*.txt' | sort
find d -type d | sort
(cd d && find . -name '*.log' -exec echo found {} \; | sort)
find d -name 'f*.txt' -exec cat {} + | sort -r | head -2
find d -name '*.txt' -print0 | xargs -0 cat | sort | uniq | wc -l
find d -maxdepth 1 -type f -name 'f[2-4]*' | sort | xargs -n1 basename
find d -empty -type f | sort
printf 'b\na\nc\nb\na\n' | sort | uniq -c
printf 'b\na\nc\nb\na\n' | sort -u | tr '\n' ,; echo
printf '3 x\n1 y\n2 z\n10 w\n' | sort -n -k1 | cut -d' ' -f2 | paste -sd:
printf 'k3,c\nk1,a\nk2,b\n' | sort -t, -k2 -r
seq 1 100000 | sort -rn | head -3
echo "hello world foo" | sed 's/o/0/g; s/world/there/'
seq 20 | sed -n '/5/,/8/p' | tr '\n' ' '; echo
# A script file: an argument with a newline cannot pass wasix-libc's
# exec (README.md).
printf '1i\\\nfirst\n$a\\\nlast\ns/^t/T/\n' >d/script.sed
printf 'one\ntwo\nthree\n' | sed -f d/script.sed
cp d/f2.txt d/edit.txt && sed -i 's/file/FILE/' d/edit.txt && cat d/edit.txt
seq 10 | grep -v 3 | grep -c .
grep -rl 'file [24]' d | sort
grep -n 'file 3' d/f1.txt d/f3.txt
grep -E '^(file) [0-9]$' d/f5.txt
seq 1 30 | grep -A1 -B1 '^15$'
echo "grep nothing: $(grep -q nothing d/f1.txt; echo $?)"
seq 1 100 | awk '{ s += $1 } END { print "sum", s, "avg", s / NR }'
printf 'a:1\nb:2\na:3\n' | awk -F: '{ t[$1] += $2 } END { for (k in t) print k, t[k] | "sort" }'
awk 'BEGIN { printf "%05.1f %s %d\n", 3.14159, toupper("abc"), length("hello"); n = split("x y z", a); print n, a[3] }'
echo "expr: $(expr 2 + 3 \* 4) $(expr length hello) $(expr 10 % 3) $(expr abc : 'a\(.*\)')"
expr 3 \> 5; echo "expr false: $?"
env test -d d && echo "test -d"
env [ -f d/f1.txt ] && echo "[ -f ]"
env test 3 -gt 5 || echo "test 3 -gt 5: $?"
env X=1 Y=2 env | grep '^[XY]=' | sort
env printf '%5.2f|%-4s|%x|%o|%c\n' 3.14159 ab 255 8 xyz
env echo -n "no newline"; env echo " then more"
env echo -e 'tab\there'
echo "basename/dirname: $(basename /a/b/c.txt .txt) $(dirname /a/b/c.txt)"
echo tee test | tee d/tee.txt | wc -c
echo appended | tee -a d/tee.txt >/dev/null; cat d/tee.txt
mkdir -p d/m/n/o && rmdir d/m/n/o d/m/n d/m && echo "mkdir -p, rmdir"
cp d/f1.txt d/copy.txt && mv d/copy.txt d/moved.txt && cat d/moved.txt && rm d/moved.txt
cp -r d/x d/x2 && ls d/x2 && rm -r d/x2 && echo "cp -r, rm -r"
ln -s f1.txt d/link && readlink d/link && cat d/link && ls -l d/link | sed 's/.* d\//d\//'
ln d/f5.txt d/hard && stat -c '%h %s %F' d/hard
rm d/link d/hard
touch -d '2001-02-03 04:05:06' d/old.txt && TZ=UTC0 date -r d/old.txt '+%Y-%m-%d %H:%M:%S'
TZ=UTC0 date -d @1234567890 '+%Y-%m-%d %H:%M:%S %a %j %s'
TZ=UTC0 date -d '2020-02-29 12:00' +%s
echo "seq: $(seq -s, 1 10) | $(seq 10 -3 1 | tr '\n' ' ')| $(seq -w 8 11 | tr '\n' ' ')"
od -c d/f1.txt
printf 'abc\n' | od -An -tx1
md5sum d/f1.txt d/f2.txt
sha256sum d/f3.txt
cat d/f*.txt | sha1sum
cksum d/f4.txt
wc d/f1.txt d/f2.txt
wc -lwc d/*.txt | tail -1
head -c 5 d/f1.txt; echo
seq 10 | tail -n +8 | tr '\n' ' '; echo
seq 10 | tail -3 | tac | tr '\n' ' '; echo
seq 3 | nl
echo "a long line of words to fold up" | fold -w 10
printf 'a\tb\n' | expand -t 4 | od -c | head -1
echo "abcdefgh" | cut -c 2-4,7
echo "hello   world" | tr -s ' ' | tr -d o
echo "Hello" | tr '[:lower:]' '[:upper:]'
printf 'x\ny\n' >d/p1 && printf '1\n2\n' >d/p2 && paste d/p1 d/p2
printf 'a\nb\nc\n' >d/c1 && printf 'b\nc\nd\n' >d/c2 && comm d/c1 d/c2
cmp d/c1 d/c2; echo "cmp: $?"
diff d/c1 d/c2; echo "diff: $?"
diff -u -L old -L new d/c1 d/c2
dd if=d/f1.txt bs=1 skip=2 count=4 2>/dev/null; echo
dd if=/dev/zero bs=512 count=3 2>/dev/null | wc -c
(cd d && seq 1 25 | split -l 10 - part_ && wc -l part_* && cat part_ab | head -2 && rm part_*)
echo "base64: $(echo hello | base64) $(echo aGVsbG8K | base64 -d)"
factor 360 97 1001
shuf -i 1-6 | sort -n | tr '\n' ' '; echo
stat -c '%s %F %n' d/f1.txt d/x
truncate -s 3 d/f4.txt && wc -c d/f4.txt && cat d/f4.txt; echo
f=$(mktemp d/tmp.XXXXXX) && test -f "$f" && echo "mktemp ok" && rm "$f"
# No permission bits: WASI's filestat has none (README.md).
install -m 640 d/f5.txt d/inst.txt && cat d/inst.txt
(cd d/sub && echo "relative: $(ls deep) $(cat ../f1.txt)")
yes | head -3
yes abc | head -c 10; echo
sh -c 'echo "sh -c: $(ls d | wc -l) entries, $(seq 5 | awk "{s+=\$1} END {print s}")"'
n=$(find d -type f | wc -l); echo "command substitution: $n files"
for f in $(ls d | grep '^f'); do printf '%s=%s ' "$f" "$(cat "d/$f" | wc -c)"; done; echo
printf 'x%s\n' 1 2 3 | while read -r l; do echo "$l" | tr x y; done | paste -sd-
timeout 10 sleep 0.1; echo "timeout: $?"
sleep 0.05 && usleep 1000 && echo slept
ls /dev/null /dev/tty /dev/zero /dev/stdin && test -c /dev/tty && echo "tty: a character device"
echo via-stdin | cat /dev/stdin
(echo to-stderr >/dev/stderr) 2>&1 | tr a-z A-Z
echo teed | tee /dev/stderr 2>/dev/null | wc -c
awk 'BEGIN { print "awk to /dev/stderr" > "/dev/stderr" }' 2>&1 | cat
echo "xargs, 20000 numbers: $(seq 1 20000 | xargs | wc -c) bytes, $(seq 1 3000 | xargs -s 2000 echo | wc -l) lines"
printf '3\n1\n2\n' >d/so && sort -o d/so d/so && paste -sd' ' d/so
echo 5 | awk '{ system("seq " $1 " | wc -l") }'
printf 'a\0b\0c\0' | xargs -0 -n 2 echo
timeout 5 sh -c 'echo inside timeout'; echo "timeout, done in time: $?"
timeout 1 sleep 3; echo "timeout fired: $?"
cat d/missing.txt 2>/dev/null; echo "cat missing: $?"
ls d/missing 2>/dev/null; echo "ls missing: $?"
rm -r d && echo "rm -r d: $(ls | grep -c '^d$')"
false | true; echo "pipeline status: $?"
exit 3
