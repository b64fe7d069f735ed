// apps-platform: the example service. GET /healthz answers the probes; GET / runs its one line of
// logic. It listens on $PORT (the chart's containerPort).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

// tenant names the tenant a request belongs to, "default" when none is given.
func tenant(name string) string {
	if name == "" {
		return "default"
	}
	return name
}

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fmt.Fprintln(w, tenant(q.Get("tenant")))
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
