"""synth review: the local review page and its server."""
