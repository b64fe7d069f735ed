// apps-www-ameide-platform: the example service. GET /healthz answers the probes; GET / runs its one line of
// logic. It listens on $PORT (the chart's containerPort).
const http = require('node:http');

// title is the page title of a platform section.
const title = (section) => `Ameide platform: ${section || 'home'}`;

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  res.end(url.pathname === '/healthz' ? 'ok\n' : title(url.searchParams.get('section')) + '\n');
}).listen(Number(process.env.PORT));
