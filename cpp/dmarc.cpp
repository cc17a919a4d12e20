// dmarc
