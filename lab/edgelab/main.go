// Command edgelab is the edge lab's tool: istiod's translation of a render into the Envoy
// configuration istiod would push to the gateway (xds), the stand-ins for backends and the
// services around the gateway (serve), and the lab's mesh CA (ca).
package main

import (
	"fmt"
	"os"

	"ingresslib.dev/lab/edgelab/standins"
	"ingresslib.dev/lab/edgelab/translate"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "xds":
		err = translate.Main(os.Args[2:])
	case "serve":
		err = standins.Serve(os.Args[2:])
	case "ca":
		err = standins.CA(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "edgelab:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: edgelab xds|serve|ca [flags]")
	os.Exit(2)
}
