// Document → speakers and turns. Three passes:
//   1. identities: every label → one speaker (long/short forms, honorifics and
//      mislabels merged; role labels become questioners or the moderator);
//   2. the main speaker (named in the title) and, in debates, the moderator;
//   3. turns: a label starts a turn that runs to the next label, and each turn
//      gets its kind (Remarks, Question, FollowUp, Answer, Closing, Stage).
#include "segment/builder.hpp"

namespace turncast::segment {

namespace detail {

Segmentation Builder::run() {
    spans();
    people_roles();
    turns();
    return std::move(seg_);
}

}  // namespace detail

Segmentation segment(const Document& doc, const parse::Rules& rules) {
    return detail::Builder(doc, rules).run();
}

}  // namespace turncast::segment
