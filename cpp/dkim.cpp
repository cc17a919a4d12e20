// dkim
