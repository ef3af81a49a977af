# No match: the bytes come out unchanged.
%name
scrub-nul-bytes-clean
%args
scrub fixtures/nul-clean.bin
%stdout-file
fixtures/nul-clean.bin
%exit
0
