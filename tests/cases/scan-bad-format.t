%name
scan-bad-format
%args
scan --format xml -
%stderr
blackbar: scan: --format: text, json or sarif, not "xml"
%exit
2
