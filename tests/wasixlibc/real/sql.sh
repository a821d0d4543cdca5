# sql.sh: the sqlite3 shell creating a database file and querying it
# from several processes, run by dash from the test root (run.sh).
# -vfs unix-none: wasix-libc has no fcntl locks (build.sh).
q() { sqlite3 -vfs unix-none "$@"; }
q t.db 'create table t(id integer primary key, name text, v real);'
q t.db "insert into t(name, v) values ('a', 1.5), ('b', 2.25), ('c', -3);"
q t.db <<END
begin;
insert into t(name, v) select name || name, v * 2 from t;
commit;
select count(*), sum(v) from t;
select id, name, v from t order by v desc limit 3;
create index ti on t(name);
select name from t where name like 'a%' order by 1;
END
echo "rows: $(q t.db 'select count(*) from t')"
q -header -csv t.db 'select name, v from t where v > 0 order by id'
q t.db 'select * from missing' 2>/dev/null
echo "error status: $?"
q t.db "select printf('%.3f', avg(v)), typeof(v), 7/2, 7/2.0 from t"
q t.db 'select group_concat(name, "-") from (select name from t order by name)' | lua -e 'print(io.read("a"):upper())'
q t.db .tables
q t.db .schema
q :memory: 'with recursive c(x) as (select 1 union all select x + 1 from c where x < 100) select sum(x) from c'
echo "db file exists: $(test -s t.db && echo yes)"
