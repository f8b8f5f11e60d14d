# Sourced by scripts/bundle-size, scripts/measure, scripts/loadtest and scripts/burst: the release server on a scratch SQLite
# database and a free port, stopped and cleaned up when the script exits.

# Sets $dir and $port and exports what `server` reads; add your own variables after it.
release_server_env() {
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  port=$(free_port)
  export DATABASE_URL="sqlite://$dir/scratch.db?mode=rwc"
  export TWEESTAP_SECRET_KEY="dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ="
  export LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=${SITE_ROOT:-target/site} RUST_LOG=warn
}

# Starts the release server (SERVER_BIN, default target/release/server) and waits until it accepts connections (at most 20 s).
release_server_start() {
  "${SERVER_BIN:-target/release/server}" serve &
  server=$!
  trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
  wait_for_port "$port"
}

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until something accepts connections on 127.0.0.1:$1 (at most 20 s).
wait_for_port() {
  for _ in $(seq 1 100); do
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "the release server did not start on port $1" >&2
  return 1
}
