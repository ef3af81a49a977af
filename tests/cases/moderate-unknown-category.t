%name
moderate-unknown-category
%args
moderate --threshold gore=2
%stdin
x
%stderr
gore=2: unknown category
%exit
2
