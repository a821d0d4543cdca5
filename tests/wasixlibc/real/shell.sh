# shell.sh: dash running pipelines of real programs (dash, lua, sqlite3)
# and its own builtins, from the test root (run.sh). Paths are relative.
echo "pipeline: $(echo one two three | lua -e 'print((io.read("a"):gsub("%w+", string.upper)))')"
printf '%s\n' b c a | lua -e 'local t = {} for l in io.lines() do t[#t+1] = l end table.sort(t) print(table.concat(t, ","))'
x=$(echo inner | lua -e 'io.write(io.read("l"):reverse())')
echo "command substitution: $x $(( 6 * 7 ))"
sh -c "exit 7"
echo "sh -c exit 7: $?"
sh -c 'kill -TERM $$'
echo "killed by TERM: $?"
lua -e 'os.exit(3)'
echo "lua exit: $?"
echo quiet >/dev/null 2>&1
nope_command 2>/dev/null
echo "not found: $?"
exec 3>o.txt
echo "to fd 3" >&3
exec 3>&-
while read -r l; do echo "read back: $l"; done <o.txt
exec 4>p.txt 5>&4
echo via five >&5
exec 4>&- 5>&-
read -r l <p.txt && echo "p.txt: $l"
exec 9<r.txt
read -r l <&9 && echo "fd 9: $l"
exec 9<&-
cat_lua() { lua -e 'io.write(io.read("a"))'; }
echo "function in a pipeline" | cat_lua | cat_lua
( cd sub && echo "subshell cwd: ${PWD##*/}" )
[ -f r.txt ] && echo "back in the root"
cd sub && echo "cd: ${PWD##*/} $(cat_lua <a.txt)" && cd ..
for i in 1 2 3; do printf '%s;' "$i"; done; echo
case "abc" in a*) echo "case ok" ;; esac
cat_lua <<END
here-doc line
END
trap 'echo "trap EXIT ran"' EXIT
set -- a "b c" d
echo "args: $# $2"
i=0; while [ $i -lt 50 ]; do i=$((i + 1)); v=$(echo $i); done; echo "50 substitutions: $v"
echo one | (read -r a; echo "pipe into subshell: $a")
lua -e 'io.stderr:write("to stderr\n")' 2>&1 | lua -e 'io.write("stderr via pipe: ", io.read("a"))'
exit 4
