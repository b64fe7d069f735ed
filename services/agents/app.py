"""apps-agents: the example service. GET /healthz answers the probes; GET / runs its one line of
logic. It listens on $PORT (the chart's containerPort)."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse


# plan splits a comma-separated task into its steps.
def plan(task):
    return [s.strip() for s in task.split(",") if s.strip()]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        body = "ok" if url.path == "/healthz" else json.dumps(plan(query.get("task", [""])[0]))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body.encode() + b"\n")


if __name__ == "__main__":
    HTTPServer(("", int(os.environ["PORT"])), Handler).serve_forever()
