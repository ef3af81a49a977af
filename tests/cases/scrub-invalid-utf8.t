# Invalid UTF-8 passes through; a match next to bad bytes is found.
%name
scrub-invalid-utf8
%args
scrub -
%stdin-file
fixtures/invalid-utf8.txt
%stdout-file
fixtures/invalid-utf8.expected
%exit
0
