%name
scan-stdin-clean
%args
scan -
%stdin
nothing to see: version 1.2.3, build 20261205
%stderr
blackbar scan: 0 findings in 1 file (0 in baseline, 0 allowed); skipped 0 (binary 0, too large 0, symlink 0, ignored 0); unreadable 0
%exit
0
