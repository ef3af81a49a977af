# A rule without keywords (or anything else that narrows where its
# regex runs) scans all text: lint warns and exits 1.
%name
rules-lint-warning
%args
rules lint fixtures/pack-nokw.json
%stdout-contains
bare-code: no keywords
1 with warnings
%exit
1
