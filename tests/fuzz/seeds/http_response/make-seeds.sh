#!/usr/bin/env bash
# Seeds for fuzz_http_response: a 3-byte header (target size, seed for the
# piece sizes) then a response: Content-Length, chunked with extensions and
# trailers, read to EOF, an interim response and a redirect, a 404.
set -euo pipefail
d=$1
hdr() { printf "\\x$1\\x$2\\x$3"; }
{ hdr 04 00 05; printf 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nServer: t\r\n\r\nhello world!'; } >"$d/length"
{ hdr 04 00 09; printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: 1\r\n\r\n'; } >"$d/chunked"
{ hdr 01 00 02; printf 'HTTP/1.0 200 OK\n\n'; head -c 300 /dev/zero | tr '\0' z; } >"$d/eof"
{ hdr 01 00 07; printf 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nLocation: http://10.9.0.2:8080/x\r\nContent-Length: 0\r\n\r\n'; } >"$d/redirect"
{ hdr 01 00 01; printf 'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found'; } >"$d/not-found"
