# NUL bytes pass through, and a match between them is still found.
%name
scrub-nul-bytes
%args
scrub
%stdin-file
fixtures/nul.bin
%stdout-file
fixtures/nul.expected
%exit
0
