# A directory cannot be read as input.
%name
scrub-directory-input
%args
scrub fixtures/packdir
%stdout
%stderr
fixtures/packdir
%exit
2
