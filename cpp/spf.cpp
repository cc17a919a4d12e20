// spf
