# files.sh: busybox's applets on files, directories and symlinks, run by
# dash from the test root (run.sh): cp -p/-a, touch -r, readlink -f,
# ls -L, find -L/-type l/-prune/-delete/-depth, broken links and loops,
# mv of a directory, install -d, truncate, dd seek, split, cmp -l. Every
# path is relative; nothing printed depends on the time or the user.
mkdir -p q/a/b; echo one > q/f; ln -s f q/l; ln -s a q/dl; ln -s nowhere q/broken
touch -d '2005-06-07 08:09:10' q/f; cp -p q/f q/g; TZ=UTC0 date -r q/g '+%F %T'
: > q/h; touch -r q/f q/h; TZ=UTC0 date -r q/h '+%F %T'
cp -a q/a q/a2 && find q/a2 | sort
readlink -f q/dl/b | sed 's|.*/q/|q/|'
ls -L q/l; ls -ld q/dl | sed 's/.* q/q/'
find -L q -name b | sort
find q -type l | sort
cat q/broken 2>/dev/null; echo "rc $?"; test -L q/broken && echo "is link"; test -e q/broken || echo "no target"
rm q/dl && test -d q/a && echo "dir kept"
ln -s loop1 q/loop2; ln -s loop2 q/loop1; cat q/loop1 2>/dev/null; echo "rc $?"
mkdir -m 700 q/m && test -d q/m && echo made
seq 10 | head -n -7 | tr '\n' ' '; seq 10 | tail -c +15 | tr '\n' ' '; echo
printf 'a:3\nb:1\nc:2\n' | sort -t: -k2,2n | tr '\n' ' '; echo
echo hello | dd conv=ucase 2>/dev/null
md5sum q/f > q/sums; md5sum -c q/sums
wc -c < /dev/null
mv q/a q/moved && ls q | sort | tr '\n' ' '; echo
ln -sf g q/l && cat q/l
install -d q/i/j/k && find q/i | sort | tr '\n' ' '; echo
rmdir q/i 2>/dev/null; echo "rc $?"
rm -rf q/nothere; echo "rc $?"
cat q 2>/dev/null; echo "rc $?"
mkdir q 2>/dev/null; echo "rc $?"
find q -name '*.x' -delete; : > q/z.x; find q -name '*.x' -delete; ls q | grep -c x
find q/i -depth | tr '\n' ' '; echo
find q -name i -prune -o -type f -print | sort | tr '\n' ' '; echo
truncate -s 10 q/t && wc -c q/t && od -An -c q/t | head -1
printf 'abcdef' > q/s; printf 'XY' | dd of=q/s bs=1 seek=2 conv=notrunc 2>/dev/null; cat q/s; echo
stat -c '%s %n' q/s q/t
seq 100 > q/n; split -l 30 -a 3 q/n q/pp_; ls q | grep pp_ | tr '\n' ' '; echo
tac q/n | head -2 | tr '\n' ' '; echo
printf 'abc' > q/c1; printf 'abd' > q/c2; cmp -l q/c1 q/c2; echo "rc $?"
rm -r q && echo removed
