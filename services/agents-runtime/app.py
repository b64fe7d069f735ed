"""apps-agents-runtime: the example service. GET /healthz answers the probes; GET / runs its one line of
logic. It listens on $PORT (the chart's containerPort)."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse


# run reports which step of a plan is running.
def run(step):
    return {"running": step or "idle"}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        body = "ok" if url.path == "/healthz" else json.dumps(run(query.get("step", [""])[0]))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body.encode() + b"\n")


if __name__ == "__main__":
    HTTPServer(("", int(os.environ["PORT"])), Handler).serve_forever()
