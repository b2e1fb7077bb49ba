# A throwaway nginx with its WebDAV module for the shared-cache tests, and a
# small archive to render through it; sourced by tests/cli scripts:
#
#   . "$root/tests/support/nginx_dav.sh"
#   port=$(free_port)
#   nginx_dav_start "$tmp/nginx" "$port" "$server_block" || exit 77   # server { ... } text
#   ...                                                                # stopped by nginx_dav_stop
#
# It runs as the current user, on 127.0.0.1, with every path in its folder.

free_port() {
  "${py:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

nginx_dav_pid=""

# nginx_dav_start DIR PORT SERVER_BLOCK: starts nginx with SERVER_BLOCK (which
# listens on 127.0.0.1:PORT) and waits for it to answer; non-zero, with what
# nginx said on stdout, when it cannot.
nginx_dav_start() {
  local dir=$1 port=$2 server=$3 nginx user_line=""
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx" ] || { echo "nginx is not installed"; return 1; }
  "$nginx" -V 2>&1 | grep -q -- --with-http_dav_module || { echo "this nginx has no WebDAV module"; return 1; }
  mkdir -p "$dir/tmp" "$dir/logs"
  [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
  cat >"$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 64; }
http {
  access_log $dir/logs/access.log;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
$server
}
CONF
  "$nginx" -c "$dir/nginx.conf" -p "$dir/" 2>"$dir/start.err" &
  nginx_dav_pid=$!
  for _ in $(seq 50); do
    "${py:-python3}" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return 0
    kill -0 "$nginx_dav_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/start.err" "$dir/logs/error.log" 2>/dev/null
  nginx_dav_stop
  return 1
}

nginx_dav_stop() {
  [ -n "$nginx_dav_pid" ] || return 0
  kill "$nginx_dav_pid" 2>/dev/null
  wait "$nginx_dav_pid" 2>/dev/null
  nginx_dav_pid=""
}

# small_archive DIR SAMPLE: three different short transcripts in two year
# folders (2021/lake, 2021/springfield, 2022/roe), made from SAMPLE.
small_archive() {
  mkdir -p "$1/2021" "$1/2022"
  cp "$2" "$1/2021/springfield.txt"
  sed 's/river/lake/' "$2" >"$1/2021/lake.txt"
  sed 's/Jane Doe/John Roe/g' "$2" >"$1/2022/roe.txt"
}
