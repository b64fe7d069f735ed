// apps-www-ameide: the example service. GET /healthz answers the probes; GET / runs its one line of
// logic. It listens on $PORT (the chart's containerPort).
const http = require('node:http');

// greeting is the page text for a visitor.
const greeting = (who) => `Welcome to Ameide, ${who || 'guest'}`;

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  res.end(url.pathname === '/healthz' ? 'ok\n' : greeting(url.searchParams.get('who')) + '\n');
}).listen(Number(process.env.PORT));
