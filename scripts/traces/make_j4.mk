all: a b c d
a b c d:
	@sleep 0.01
