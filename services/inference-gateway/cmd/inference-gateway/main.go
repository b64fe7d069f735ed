// apps-inference-gateway: the example service. GET /healthz answers the probes; GET / runs its one line of
// logic. It listens on $PORT (the chart's containerPort).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

// route picks the backend for a model, "default" when none is given.
func route(model string) string {
	if model == "" {
		return "default"
	}
	return "inference/" + model
}

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fmt.Fprintln(w, route(q.Get("model")))
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
