# Shapes from the node_modules of typescript and eslint (bench/scan.sh) that
# the rules once reported: an SSH remote, a spec section as link text, a
# constant added in minified code, a WebGL constant, a coverage badge's
# token, a negated and a renumbered identifier. Only the author's address
# on the last line is a finding.
%name
scan-npm-tree-shapes
%args
scan -
%stdin
"url": "git@github.com:acme-corp/widget.git"
see [11.6.2.1](https://tc39.es/ecma262/#sec-keywords)
h=imul(h,5)+3864292196}
readonly STENCIL_PASS_DEPTH_PASS: 0x0B96;
[![codecov](https://codecov.io/gh/acme-corp/widget/graph/badge.svg?token=Q7Zk3mWp9T)](https://codecov.io/gh/acme-corp/widget)
const exclamationToken = !questionToken && !scanner.hasPrecedingLineBreak();
const { contextToken: contextToken2 } = getRelevantTokens(position);
"author": "Jo Brien <jo.brien@mail.acme-corp.test>"
%stdout
-:8:22: email: jo.****…est
%stderr
blackbar scan: 1 finding in 1 file
%exit
1
