// apps-workflows: the example service. GET /healthz answers the probes; GET / runs its one line of
// logic. It listens on $PORT (the chart's containerPort).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
)

// steps counts the comma-separated steps of a workflow.
func steps(s string) int { return len(strings.FieldsFunc(s, func(r rune) bool { return r == ',' })) }

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fmt.Fprintln(w, steps(q.Get("steps")))
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
