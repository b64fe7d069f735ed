// apps-workflows-runtime: the example service. GET /healthz answers the probes; GET / runs its one line of
// logic. It listens on $PORT (the chart's containerPort).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

// next returns the step after the current one.
func next(step int) int { return step + 1 }

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fmt.Fprintln(w, next(len(q.Get("step"))))
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
