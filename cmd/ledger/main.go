// Command ledger is the Shanxi water-pollution assessment ledger. It only
// wires the process to package cli.
package main

import (
	"os"

	"github.com/shanxi-water/ledger/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
