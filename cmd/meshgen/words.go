package main

// The vocabularies the generated rows draw from. They hold no comma, quote or
// line break, so that customers.csv needs no quoting.

// firstNames and lastNames give 32x32 distinct names ("First Last").
var (
	firstNames = [32]string{
		"Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis",
		"Frances", "John", "Katherine", "Edsger", "Radia", "Donald", "Sophie", "Tim",
		"Hedy", "Claude", "Annie", "Niklaus", "Jean", "Bjarne", "Adele", "Guido",
		"Evelyn", "Rob", "Mary", "Leslie", "Shafi", "Robin", "Lynn", "Martin",
	}
	lastNames = [32]string{
		"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie",
		"Allen", "Backus", "Johnson", "Dijkstra", "Perlman", "Knuth", "Wilson", "Lee",
		"Lamarr", "Shannon", "Easley", "Wirth", "Sammet", "Stroustrup", "Goldberg", "Rossum",
		"Berezin", "Pike", "Keller", "Lamport", "Goldwasser", "Milner", "Conway", "Fowler",
	}
)

// domains are the mail domains of the e-mail addresses, in mixed case so
// that lower(email) has work to do.
var domains = [16]string{
	"Example.com", "MailHub.net", "PostBox.org", "InBox.de",
	"WebPost.fr", "QuickMail.io", "OpenMail.co.uk", "CloudPost.com",
	"NorthMail.se", "SunPost.es", "AlpenMail.ch", "CanalPost.nl",
	"MapleMail.ca", "HarbourMail.au", "LakeMail.fi", "RiverPost.it",
}

// countries are 40 ISO 3166-1 alpha-2 codes in Zipf rank order: the first
// is the most frequent.
var countries = [40]string{
	"US", "DE", "FR", "GB", "IN", "BR", "CN", "JP", "CA", "IT",
	"ES", "NL", "MX", "AU", "KR", "SE", "PL", "CH", "BE", "AT",
	"NO", "DK", "FI", "IE", "PT", "CZ", "GR", "HU", "RO", "TR",
	"ZA", "AR", "CL", "CO", "NZ", "SG", "IL", "AE", "EG", "NG",
}

// statuses are the order statuses; statusOf maps a uniform draw in 0..19 to
// one of them: shipped 40%, delivered 30%, pending 15%, cancelled 10%,
// returned 5%.
var (
	statuses = [5]string{"shipped", "delivered", "pending", "cancelled", "returned"}
	statusOf = [20]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4}
)
