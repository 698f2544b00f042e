"""Post-loan monitoring: point-in-time signals of loans on the book, and the warning policy that reads them."""
