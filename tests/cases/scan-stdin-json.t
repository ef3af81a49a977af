%name
scan-stdin-json
%args
scan -q --format json --key-file fixtures/scan.key -
%stdin
first line
  é mail ada.lovelace@example-corp.test
%stdout
{"tool":"blackbar","version":"0.1.0","findings":[
{"path":"-","line":2,"column":10,"end_line":2,"rule":"email","type":"EMAIL","severity":"medium","masked":"ada****…est","fingerprint":"67f9887c756050d0193424916d5a6ec7"}
],"summary":{"files":1,"findings":1,"baselined":0,"allowed":0,"skipped_binary":0,"skipped_large":0,"skipped_symlink":0,"ignored":0,"unreadable":0}}
%exit
1
