# fdgames.sh: redirection games of a shell script, run by bin/sh (msh.c)
# natively and under wasmix from the test root: exec N>file, >&N, N>&-,
# dup onto 3..9, closing them, and files opened by path afterwards.
exec 3>o.txt
echo to three >&3
exec 3>&-
child cat <o.txt
exec 4>p.txt 5>&4
echo via five >&5
exec 4>&- 5>&-
child cat <p.txt
exec 9<r.txt
child cat <&9
exec 9<&-
exec 3>q.txt 4>&3 5>&3 6>&3 7>&3 8>&3 9>&3
child fds
echo nine >&9
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
child fds
child cat <q.txt
child cat <sub/a.txt
echo appended >>q.txt
child cat <q.txt
child echo quiet 2>/dev/null >/dev/null
echo status $?
child exit 7
echo status $?
sh -c "exit 9"
echo status $?
child sig 15
echo status $?
child echo one two | child upper | child cat
child write 2 to-stderr 2>&1 | child upper
cd sub
child cwd
cd ..
child cwd
exec 3>&1
child write 3 via-dup-of-stdout
exec 3>&- 1>o.txt
echo into o.txt
exec 1>&2
child cat <o.txt >&2
