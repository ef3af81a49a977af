# mask counts characters, not bytes.
%name
scrub-op-mask-utf8
%args
scrub --no-default-rules --rules fixtures/pack-small.json -o mask:2
%stdin
name=Zoë; name=Łukasz, name=Jürgen
%stdout
name=*oë; name=****sz, name=****en
%exit
0
