%name
scrub-missing-input
%args
scrub fixtures/no-such-input.txt
%stdout
%stderr
fixtures/no-such-input.txt
%exit
2
