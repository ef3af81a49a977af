%name
scrub-invalid-utf8-clean
%args
scrub fixtures/invalid-utf8-clean.txt
%stdout-file
fixtures/invalid-utf8-clean.txt
%exit
0
