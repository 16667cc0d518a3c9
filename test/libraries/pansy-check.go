// Runs go-pansy/pansy's own Signatory as a Go merchant does, for test/callbacks/merchant-libraries.test.ts
// (test/helpers/merchant-libraries.ts builds it against the checkout in VENDCLOUD_PANSY_DIR).
//
// stdin: {"key": "...", "jobs": [{"sign": {fields}} | {"check": "<callback body>"}]}
// stdout: one JSON array, per job the sign (GenSignature of the fields) or whether
// CheckSignature accepts the body, decoded with encoding/json into map[string]any as a
// merchant's handler would decode it.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"vendcloudtest/pansy"
)

type job struct {
	Sign  map[string]any `json:"sign"`
	Check *string        `json:"check"`
}

func main() {
	var input struct {
		Key  string `json:"key"`
		Jobs []job  `json:"jobs"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	signatory := pansy.NewSignatory(input.Key)
	results := make([]any, 0, len(input.Jobs))
	for _, j := range input.Jobs {
		if j.Check == nil {
			results = append(results, signatory.GenSignature(j.Sign))
			continue
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(*j.Check), &body); err != nil {
			results = append(results, false)
			continue
		}
		sign, _ := body["sign"].(string)
		results = append(results, signatory.CheckSignature(body, sign))
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		os.Exit(2)
	}
}
