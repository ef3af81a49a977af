%name
main-version
%args
--version
%stdout
blackbar 0.1.0
%exit
0
