// apps-transformation: the example service. GET /healthz answers the probes; GET / runs its one line of
// logic. It listens on $PORT (the chart's containerPort).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
)

// transform upper-cases its input.
func transform(s string) string { return strings.ToUpper(s) }

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fmt.Fprintln(w, transform(q.Get("input")))
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
