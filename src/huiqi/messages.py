"""Every message huiqi shows a person, in Chinese and English, keyed by a code.

A code ``x`` may have a hint ``x.hint``. Messages are public: ``docs/errors.md``
lists every code and a test keeps the two in step.
"""

from __future__ import annotations

from huiqi.text import Text

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- summaries
    "pack.rejected": ("政策包 {subject} 未通过检查,共 {count} 处问题,整个包均未加载:",
                      "The policy pack {subject} failed checking with {count} problem(s); "
                      "nothing of it was loaded:"),
    "data.rejected": ("数据文件 {subject} 未通过检查,共 {count} 处问题,未导入任何数据:",
                      "The data file {subject} failed checking with {count} problem(s); "
                      "nothing was imported:"),
    "not_found": ("找不到{kind_zh}“{key}”。", "No {kind_en} “{key}”."),
    "did_you_mean": ("是否想找:{names}?", " Did you mean: {names}?"),
    "value.missing": ("缺失", "missing"),
    "usage.error": ("{detail_zh}", "{detail_en}"),
    # ---- files
    "yaml.syntax": ("YAML 格式错误:{detail}", "YAML syntax error: {detail}"),
    "yaml.syntax.hint": ("检查缩进(用空格,不用 Tab)、冒号后的空格和引号是否成对。",
                         "Check the indentation (spaces, not tabs), the space after each colon, "
                         "and that quotes are paired."),
    "yaml.duplicate_key": ("键“{key}”重复出现", "the key “{key}” appears twice"),
    "yaml.duplicate_key.hint": ("同一层级中每个键只能出现一次;删除或改名其中一个。",
                                "Each key may appear once per level; remove or rename one."),
    "yaml.alias_budget": ("YAML 别名展开过多:别名(*)复制的值超过 {limit} 个(第 {anchor} 行定义的锚点)",
                          "YAML aliases expand too far: they copy more than {limit} values (the "
                          "anchor defined on line {anchor})"),
    "yaml.alias_budget.hint": ("把重复的内容直接写出,或减少别名的层层嵌套。",
                               "Write the repeated content out, or nest aliases less deeply."),
    "yaml.alias_cycle": ("YAML 别名指向包含它自己的内容(第 {anchor} 行定义的锚点)",
                         "a YAML alias refers to a value that contains it (the anchor defined "
                         "on line {anchor})"),
    "yaml.key": ("键必须是简单的文字", "a key must be plain text"),
    "file.encoding": ("文件不是 UTF-8 编码:{detail}", "the file is not UTF-8: {detail}"),
    "file.unreadable": ("无法读取文件:{detail}", "cannot read the file: {detail}"),
    "file.format": ("不支持的文件格式“{suffix}”,请使用 {allowed}",
                    "unsupported file format “{suffix}”; use {allowed}"),
    # ---- structure
    "field.missing": ("缺少必填项“{name}”", "the required field “{name}” is missing"),
    "field.missing.hint": ("请补上该项;格式见 schema/policy.schema.json。",
                           "Add it; see schema/policy.schema.json for the format."),
    "field.unknown": ("不认识的项“{name}”", "unknown field “{name}”"),
    "field.unknown.hint": ("可能是拼写错误。相近的项:{suggestions}",
                           "Possibly a typo. Similar fields: {suggestions}"),
    "field.unquoted_comma": ("“{key}”的值中有英文逗号:在 {{…}} 里逗号分隔各项,"
                             "逗号后的“{name}”因此被读成了一个单独的项",
                             "the value of “{key}” holds a comma: inside {{…}} a comma separates "
                             "entries, so “{name}” after it was read as a field of its own"),
    "field.unquoted_comma.hint": ("把整个值加上引号:{key}: \"{value}\"",
                                  "Put the whole value in quotes: {key}: \"{value}\""),
    "field.invalid": ("“{name}”的取值“{value}”无效", "the value “{value}” of “{name}” is invalid"),
    "field.invalid.hint": ("详情:{detail}", "Detail: {detail}"),
    "id.bad": ("标识“{id}”不合规范", "the id “{id}” is not valid"),
    "id.bad.hint": ("标识以英文字母开头,只含英文字母、数字、下划线和连字符。",
                    "An id starts with a letter and has only letters, digits, _ and -."),
    "id.duplicate": ("标识“{id}”重复", "the id “{id}” is used twice"),
    "id.duplicate.hint": ("同一范围内每个标识只能用一次。", "Each id may be used once in its scope."),
    "policy.duplicate_id": ("政策标识“{id}”重复(另见 {other})",
                            "the policy id “{id}” is used twice (also in {other})"),
    "pack.policy_missing": ("pack.yaml 列出的政策文件“{file}”不存在",
                            "the policy file “{file}” listed in pack.yaml does not exist"),
    "pack.not_a_policy": ("{file} 不是政策文件(没有 clauses、source、dates 等项;其中的项:{found}),"
                          "却被当作政策读入,因为{reason_zh}",
                          "{file} is not a policy (it has no clauses, source, dates …; its keys: "
                          "{found}), yet it was read as one because {reason_en}"),
    "pack.not_a_policy.hint": ("在 pack.yaml 中用 policies: [...] 只列出政策文件;测试案例等其他 "
                               "YAML 文件放到包目录之外或其子目录(如 cases/)中。",
                               "List only the policy files under policies: [...] in pack.yaml; "
                               "keep test cases and other YAML files outside the pack's folder "
                               "or in a subfolder (such as cases/)."),
    "source.file_missing": ("原文文件“{file}”不存在", "the source text file “{file}” does not exist"),
    "source.file_missing.hint": ("路径相对于本政策文件所在目录。",
                                 "The path is relative to the policy file's folder."),
    "source.empty": ("缺少政策原文(file、text 或 paragraphs)或要点摘要(summary)",
                     "the policy text is missing (file, text or paragraphs, or a summary)"),
    "source.empty.hint": ("每条规则都要能追溯到原文的句子,请提供原文。",
                          "Every rule must point to a sentence of the text; give the text."),
    # ---- citations
    "cite.missing": ("缺少出处:请用 cite 指明原文段落,或用 assumed 写明这是假定及理由",
                     "no citation: give cite (the paragraph of the text) or assumed "
                     "(what is assumed and why)"),
    "cite.missing.hint": ("原文给出的写 cite: {{p: 段号, quote: 原文}};原文未给出的写 "
                          "assumed: 说明。", "If the text gives it, write cite: {{p: N, quote: "
                          "...}}; if not, write assumed: with a note."),
    "cite.unknown_paragraph": ("出处指向的段落“{p}”不存在(原文共 {count} 段)",
                               "the cited paragraph “{p}” does not exist (the text has {count})"),
    "cite.unknown_paragraph.hint": ("段落按空行分隔,从 1 编号;相近的段落名:{suggestions}",
                                    "Paragraphs are separated by blank lines and numbered from 1; "
                                    "similar names: {suggestions}"),
    "cite.quote_not_found": ("引文在第 {p} 段中找不到", "the quote is not in paragraph {p}"),
    "cite.quote_not_found.hint": ("引文须逐字出现在该段中(空白不计,全角与半角标点视为相同)。"
                                  "该段开头:{start}",
                                  "The quote must appear word for word in that paragraph "
                                  "(whitespace aside; full-width and half-width punctuation "
                                  "alike). It begins: {start}"),
    # ---- expressions
    "expr.syntax": ("表达式有语法错误:{detail_zh}", "syntax error in the expression: {detail_en}"),
    "expr.syntax.hint": ("比较用 >= <= == !=,逻辑用 and or not,金额写 ¥20000 或 2万元,比例写 7%。",
                         "Compare with >= <= == !=, combine with and/or/not; write money as "
                         "¥20000 or 2万元 and ratios as 7%."),
    "expr.unsupported": ("不支持的表达式", "unsupported expression"),
    "name.unknown": ("不认识的名称“{name}”", "unknown name “{name}”"),
    "name.unknown.hint": ("名称须是事实目录中的事实,或本政策的参数、命名值、选择项。",
                          "A name must be a fact of the catalogue or a parameter, value or "
                          "choice of this policy."),
    "name.unknown_suggest": ("不认识的名称“{name}”,是否为:{suggestions_zh}?",
                             "unknown name “{name}”; did you mean: {suggestions_en}?"),
    "name.chinese": ("“{word}”是标签而不是名称:表达式中写事实、参数的英文标识,是否为:{suggestions_zh}?",
                     "“{word}” is a label, not a name: expressions use the ids of facts and "
                     "parameters; did you mean: {suggestions_en}?"),
    "name.chinese.hint": ("中文标签只用在 label 中;事实的标识见 huiqi facts。",
                          "Chinese labels go in label; the ids of facts are listed by huiqi "
                          "facts."),
    "name.unknown_suggest.hint": ("事实的名称见 huiqi facts 或 src/huiqi/facts/catalogue.yaml。",
                                  "Fact names are listed by huiqi facts and in "
                                  "src/huiqi/facts/catalogue.yaml."),
    "type.mismatch": ("类型不匹配:“{op}”两边是{left_zh}和{right_zh}",
                      "type mismatch: “{op}” has {left_en} on one side and {right_en} on the "
                      "other"),
    "type.mismatch.hint": ("只能比较或运算同一类的值:金额与金额、日期与日期、比例与比例。",
                           "Only like values can be compared or combined: money with money, "
                           "dates with dates, ratios with ratios."),
    "type.unit": ("单位不一致:“{op}”两边是{left_zh}和{right_zh}",
                  "unit mismatch: “{op}” has {left_en} on one side and {right_en} on the other"),
    "type.unit.hint": ("例如人数不能与金额比较;比例请写成相除,如 st_staff[-1] / staff_total[-1]。",
                       "A head count cannot be compared with money; write a ratio as a "
                       "division, e.g. st_staff[-1] / staff_total[-1]."),
    "type.not_condition": ("此处须是条件(真/假),而这是{got_zh}",
                           "a condition (true/false) is needed here, but this is {got_en}"),
    "type.not_condition.hint": ("加上比较,例如 revenue[-1] >= ¥1000万。",
                                "Add a comparison, e.g. revenue[-1] >= ¥1000万."),
    "type.not_money": ("金额须是以元计的数值,而这是{got_zh}",
                       "an amount must be money in yuan, but this is {got_en}"),
    "type.not_money.hint": ("按比例给付写 50% * 基数;按单位给付写 单价 * 数量。",
                            "A share is 50% * base; per unit is rate * quantity."),
    "type.not_number": ("“{op}”须用于数值,而这是{got_zh}", "“{op}” needs a number, but this is "
                        "{got_en}"),
    "type.not_date": ("{name} 须用于日期,而这是{got_zh}", "{name} needs dates, but this is {got_en}"),
    "type.days_months": ("天数不能与月数/年数比较", "days cannot be compared with months or years"),
    "type.days_months.hint": ("一年不等于365天:统一写成天数(365 days)或年数(1 years)。",
                              "A year is not 365 days: use days (365 days) or years (1 years) on "
                              "both sides."),
    "type.unordered": ("{got_zh}不能比较大小(“{op}”)", "{got_en} has no order (“{op}”)"),
    "type.unordered.hint": ("枚举和文本只能用 == != 或 in。", "Enums and text take only == != or in."),
    "enum.unknown_value": ("“{value}”不是 {enum} 的取值", "“{value}” is not a value of {enum}"),
    "enum.unknown_value.hint": ("允许的取值:{allowed}", "Allowed values: {allowed}"),
    "enum.unknown_value_suggest": ("“{value}”不是 {enum} 的取值,是否为:{suggestions}?",
                                   "“{value}” is not a value of {enum}; did you mean: "
                                   "{suggestions}?"),
    "enum.unknown_value_suggest.hint": ("允许的取值:{allowed}", "Allowed values: {allowed}"),
    "set.literal_only": ("集合中只能写文字取值,如 {{\"a\", \"b\"}}",
                         "a set may only hold text values, like {{\"a\", \"b\"}}"),
    "member.not_set": ("“in”右边须是集合,而这是{got_zh}",
                       "the right of “in” must be a set, but this is {got_en}"),
    "member.bad_item": ("“in”左边须是枚举值或文本,而这是{got_zh}",
                        "the left of “in” must be an enum value or text, but this is {got_en}"),
    "attr.outside_aggregate": ("“{text}”只能用在 sum/max/min 中", "“{text}” may only be used "
                               "inside sum/max/min"),
    "attr.outside_aggregate.hint": ("例如 sum(equity_financing.amount where date >= as_of - 2 years)。",
                                    "E.g. sum(equity_financing.amount where date >= as_of - "
                                    "2 years)."),
    "where.outside_aggregate": ("“where”只能用在 count/exists/sum/max/min 的括号中",
                                "“where” may only be used inside count/exists/sum/max/min"),
    "year.needs_index": ("“{name}”是按年度填报的数据,须指明年度", "“{name}” is reported per fiscal "
                         "year; say which year"),
    "year.needs_index.hint": ("上一会计年度写 {name}[-1],前一年写 {name}[-2];近三年合计写 "
                              "sum({name}[-3..-1], younger=actual)。",
                              "Last fiscal year is {name}[-1], the year before {name}[-2]; the "
                              "last three years summed: sum({name}[-3..-1], younger=actual)."),
    "year.not_yearly": ("“{name}”不是按年度的数据,不能加年度", "“{name}” is not yearly; it takes no "
                        "year"),
    "year.offset": ("年度偏移 {offset} 超出范围(0 到 -{limit})",
                    "the year offset {offset} is out of range (0 to -{limit})"),
    "year.range_outside_aggregate": ("多年区间“{text}”只能用在 sum/avg/min/max 中",
                                     "the range “{text}” may only be used inside sum/avg/min/max"),
    "year.range_order": ("年度区间“{text}”须从早到晚", "the range “{text}” must go from earlier to "
                         "later"),
    "year.window_policy": ("“{text}”跨 {years} 个年度,须写明成立不足 {years} 年的企业如何处理",
                           "“{text}” spans {years} fiscal years; say what happens for enterprises "
                           "younger than that"),
    "year.window_policy.hint": ("加 younger=actual(按实际经营年度)、younger=ineligible(不符合)"
                                "或 younger=zero(缺的年度按0计)。",
                                "Add younger=actual (the years it existed), younger=ineligible "
                                "(not met) or younger=zero (missing years count as 0)."),
    "year.window_value": ("younger 的取值须是:{allowed}", "younger must be one of: {allowed}"),
    "func.unknown": ("没有函数“{name}”", "there is no function “{name}”"),
    "func.unknown.hint": ("可用函数:{allowed};相近:{suggestions}",
                          "Functions: {allowed}; similar: {suggestions}"),
    "func.arity": ("函数 {name} 需要 {expected} 个参数", "{name} takes {expected} argument(s)"),
    "func.kwarg": ("函数 {name} 没有参数“{kwarg}”", "{name} has no argument “{kwarg}”"),
    "func.bad_args": ("函数 {name} 的参数用法不对", "wrong arguments for {name}"),
    "func.bad_args.hint": ("sum/avg/min/max 用于多年数据 sum(x[-3..-1], younger=actual) 或记录 "
                           "sum(equity_financing.amount where …);count/exists 用于记录。",
                           "sum/avg/min/max take a yearly range sum(x[-3..-1], younger=actual) "
                           "or records sum(equity_financing.amount where …); count/exists take "
                           "records."),
    "func.known_arg": ("known() 的参数须是一个事实", "known() takes one fact"),
    "table.bare": ("分档表“{name}”须通过 band({name}, 值) 或 lookup({name}, 键) 使用",
                   "the table “{name}” is used through band({name}, value) or lookup({name}, key)"),
    "table.unknown": ("没有分档表“{name}”", "there is no table “{name}”"),
    "table.unknown.hint": ("相近的表:{suggestions}", "Similar tables: {suggestions}"),
    "table.not_banded": ("表“{name}”不是分档表,请用 lookup", "the table “{name}” has no bands; "
                         "use lookup"),
    "table.not_entries": ("表“{name}”是分档表,请用 band", "the table “{name}” is banded; use band"),
    "table.lookup_key": ("lookup 的键须是枚举值或文本,而这是{got_zh}",
                         "the key of lookup must be an enum value or text, but this is {got_en}"),
    "table.shape": ("表“{name}”须有且只有 bands、versions、entries 之一",
                    "the table “{name}” needs exactly one of bands, versions, entries"),
    "record.unknown_field": ("记录 {record} 没有字段“{name}”", "the record {record} has no field "
                             "“{name}”"),
    "record.unknown_field.hint": ("相近的字段:{suggestions}", "Similar fields: {suggestions}"),
    "record.field_needed": ("{name} 须指明对哪个字段求值", "{name} needs a field to work on"),
    "record.field_needed.hint": ("{record} 的字段:{fields}", "Fields of {record}: {fields}"),
    "record.field_not_allowed": ("{name} 计数的是记录,不取字段", "{name} counts records; it takes "
                                 "no field"),
    "value.cycle": ("命名值之间循环引用:{cycle}", "named values refer to each other in a cycle: "
                    "{cycle}"),
    "value.cycle.hint": ("一个值不能直接或间接地由它自己算出。",
                         "A value cannot be computed, directly or not, from itself."),
    # ---- literals, parameters, tables
    "literal.syntax": ("取值“{value}”无法识别:{detail_zh}", "the value “{value}” cannot be read: "
                       "{detail_en}"),
    "literal.not_literal": ("此处须是一个常量(数字、金额、比例、日期),而不是“{value}”",
                            "a constant (number, money, ratio, date) is needed here, not "
                            "“{value}”"),
    "literal.type": ("取值“{value}”不是{want_zh}", "the value “{value}” is not {want_en}"),
    "param.bad_unit": ("不认识的单位“{unit}”", "unknown unit “{unit}”"),
    "param.bad_unit.hint": ("可用单位:{allowed}", "Units: {allowed}"),
    "param.no_values": ("参数“{name}”没有任何取值", "the parameter “{name}” has no values"),
    "param.starts_late": ("参数“{name}”的第一个取值从 {first} 起,晚于政策生效日 {effective}",
                          "the parameter “{name}” has its first value on {first}, after the "
                          "policy takes effect on {effective}"),
    "param.starts_late.hint": ("给出政策生效日当天或更早生效的取值。",
                               "Give a value that takes effect on or before the policy does."),
    "band.bad_interval": ("区间“{text}”写法不对", "the interval “{text}” is not well written"),
    "band.bad_interval.hint": ("写成 [下限, 上限):方括号含端点,圆括号不含;无穷写 ∞ 或 -∞。",
                               "Write [low, high): a square bracket includes the bound, a round "
                               "one excludes it; use ∞ or -∞ for no bound."),
    "band.bad_bound": ("区间“{text}”的端点“{bound}”不是数值", "the bound “{bound}” of “{text}” is "
                       "not a number"),
    "band.infinite_inclusive": ("区间“{text}”:无穷端点须用圆括号", "in “{text}” an infinite bound "
                                "takes a round bracket"),
    "band.empty": ("区间“{text}”是空的", "the interval “{text}” is empty"),
    "band.mixed_units": ("区间“{text}”的单位与同表其他档不一致", "the interval “{text}” has a unit "
                         "unlike the other bands"),
    "band.overlap": ("表“{name}”的分档重叠:{a} 与 {b}", "the bands of “{name}” overlap: {a} and {b}"),
    "band.overlap.hint": ("原文“以上/以下/含”决定端点归属:相邻两档的共同端点只能归一档。",
                          "The text's “or more / less than / inclusive” decides which band owns a "
                          "shared bound: only one of the two may include it."),
    "band.gap": ("表“{name}”的分档之间有空隙:{a} 与 {b}", "the bands of “{name}” leave a gap "
                 "between {a} and {b}"),
    "band.gap.hint": ("相邻两档的共同端点须恰好归其中一档。", "A bound shared by two bands must "
                      "belong to exactly one of them."),
    "band.gap_low": ("表“{name}”没有覆盖最低的取值(从 {a} 开始)", "the bands of “{name}” do not "
                     "cover the lowest values (they start at {a})"),
    "band.gap_low.hint": ("加一档 (-∞, …),或用 domain 写明取值范围。",
                          "Add a band (-∞, …) or state the domain."),
    "band.gap_high": ("表“{name}”没有覆盖最高的取值(到 {a} 为止)", "the bands of “{name}” do not "
                      "cover the highest values (they end at {a})"),
    "band.gap_high.hint": ("加一档 […, ∞),或用 domain 写明取值范围。",
                           "Add a band […, ∞) or state the domain."),
    # ---- clauses
    "condition.no_id": ("条件缺少 id", "a condition has no id"),
    "condition.no_id.hint": ("每个条件都需要一个 id,用于说明不符合的原因和人工审核。",
                             "Every condition needs an id, for reasons and reviews."),
    "condition.shape": ("条件“{id}”须有且只有 when、review、all_of、any_of 之一(现有:{given})",
                        "the condition “{id}” needs exactly one of when, review, all_of, any_of "
                        "(given: {given})"),
    "condition.empty_group": ("条件组“{id}”是空的", "the condition group “{id}” is empty"),
    "value.report_not_number": ("只有数值才能在结果中列出,而“{name}”是{got_zh}",
                                "only a number can be reported, but “{name}” is {got_en}"),
    "value.grade_table": ("分档表“{table}”不存在,或有分档未写 label",
                          "the table “{table}” does not exist, or a band of it has no label"),
    "score.no_review": ("条件“{id}”的 score 只能与 review 一起写", "the score of the condition “{id}” "
                        "needs review (a person gives the score)"),
    "score.no_formula": ("评分有分项(parts)时须写明合成总分的公式 formula",
                         "a score with parts needs the formula that combines them"),
    "score.formula_without_parts": ("没有分项(parts)的评分不写 formula",
                                    "a score without parts has no formula"),
    "score.bad_range": ("评分范围无效(min {min},max {max})",
                        "the range of the score is not valid (min {min}, max {max})"),
    "benefit.no_amount": ("{kind} 类待遇须给出 amount", "a {kind} benefit needs an amount"),
    "benefit.amount_not_allowed": ("{kind} 类待遇不给金额,请删去 amount/cap",
                                   "a {kind} benefit pays no money; remove amount/cap"),
    "benefit.no_rounding": ("金额须写明取整方式 rounding", "the amount needs a stated rounding"),
    "benefit.no_rounding.hint": ("例如 rounding: {{unit: yuan, mode: half_up}}(四舍五入到元)。",
                                 "E.g. rounding: {{unit: yuan, mode: half_up}} (round half up "
                                 "to the yuan)."),
    "benefit.fixed_reads_facts": ("kind: fixed 的金额不应取决于企业数据",
                                  "a fixed amount must not depend on the enterprise's facts"),
    "benefit.fixed_reads_facts.hint": ("按比例写 kind: share,按数量写 kind: per_unit,分档写 "
                                       "kind: banded。", "Use kind: share, per_unit or banded."),
    "program.bad_window": ("申报窗口的日期须写成 YYYY-MM-DD 或每年的 MM-DD",
                           "a window date must be YYYY-MM-DD or a yearly MM-DD"),
    "program.mixed_window": ("申报窗口的开始和截止须同为具体日期或同为每年的 MM-DD",
                             "a window must be two dates or two yearly MM-DD"),
    "program.window_order": ("申报窗口的截止早于开始", "the window closes before it opens"),
    "program.bad_duration": ("期限须写成如 4 years、6 months、365 days",
                             "a period must be written like 4 years, 6 months, 365 days"),
    "group.unknown_clause": ("叠加规则引用了不存在的条款“{ref}”", "the stacking group names a "
                             "clause “{ref}” that does not exist"),
    "group.unknown_clause.hint": ("相近的条款:{suggestions}", "Similar clauses: {suggestions}"),
    "group.too_small": ("就高不重复组“{id}”至少需要两个条款", "the exclusive group “{id}” needs at "
                        "least two clauses"),
    "group.no_cap": ("上限组“{id}”须给出 cap", "the cap group “{id}” needs a cap"),
    # ---- catalogue
    "catalogue.bad_entry": ("事实“{name}”的定义须是键值表", "the fact “{name}” must be a mapping"),
    "catalogue.bad_type": ("事实“{name}”的类型“{value}”不存在(可用:{allowed})",
                           "the fact “{name}” has an unknown type “{value}” ({allowed})"),
    "catalogue.bad_enum": ("事实“{name}”引用的枚举“{value}”不存在",
                           "the fact “{name}” names an unknown enum “{value}”"),
    "catalogue.bad_record": ("事实“{name}”引用的记录类型“{value}”不存在",
                             "the fact “{name}” names an unknown record type “{value}”"),
    "catalogue.bad_unit": ("事实“{name}”的单位“{value}”不存在(可用:{allowed})",
                           "the fact “{name}” has an unknown unit “{value}” ({allowed})"),
    "catalogue.bad_period": ("事实“{name}”的 period 须是 static 或 yearly",
                             "the period of “{name}” must be static or yearly"),
    "catalogue.bad_source": ("事实“{name}”的来源“{value}”未在 sources 中声明",
                             "the source “{value}” of “{name}” is not declared in sources"),
    # ---- facts declared by a pack (facts.yaml)
    "facts.bad_file": ("facts.yaml 须是含 facts 的键值表(facts: {事实名: {type: …, label: …}})",
                       "facts.yaml must be a mapping with facts (facts: {name: {type: …, "
                       "label: …}})"),
    "facts.bad_entry": ("声明的事实“{name}”须是键值表(type、label 等)",
                        "the declared fact “{name}” must be a mapping (type, label, …)"),
    "facts.bad_id": ("事实名“{name}”不合规范", "the fact name “{name}” is not valid"),
    "facts.bad_id.hint": ("事实名以英文字母开头,只含英文字母、数字和下划线。",
                          "A fact name starts with a letter and holds only letters, digits and "
                          "underscores."),
    "facts.unknown_key": ("“{name}”中有不认识的项“{key}”", "“{name}” has an unknown entry “{key}”"),
    "facts.unknown_key.hint": ("可用的项:{suggestions}", "Entries that may be written: "
                               "{suggestions}"),
    "facts.bad_type": ("事实“{name}”的类型“{value}”不存在(可用:{allowed})",
                       "the fact “{name}” has an unknown type “{value}” ({allowed})"),
    "facts.no_label": ("事实“{name}”缺少 label(中文名称,可附英文)",
                       "the fact “{name}” has no label (its Chinese name, English optional)"),
    "facts.bad_unit": ("事实“{name}”的单位“{value}”不存在(可用:{allowed})",
                       "the fact “{name}” has an unknown unit “{value}” ({allowed})"),
    "facts.bad_range": ("事实“{name}”的范围“{value}”不是数字",
                        "the range “{value}” of the fact “{name}” is not a number"),
    "facts.empty_range": ("事实“{name}”的下限 {min} 大于上限 {max}",
                          "the fact “{name}” has a minimum {min} above its maximum {max}"),
    "facts.no_options": ("枚举事实“{name}”须用 options 列出可选值(如 options: {{A: 优秀, B: 良好}})",
                         "the enumeration “{name}” must list its values under options (e.g. "
                         "options: {{A: Excellent, B: Good}})"),
    "facts.bad_option": ("事实“{name}”的可选值“{value}”为空", "the fact “{name}” has an empty "
                         "option “{value}”"),
    "facts.no_fields": ("记录事实“{name}”须用 fields 列出各字段及其类型",
                        "the records fact “{name}” must list its fields and their types under "
                        "fields"),
    "facts.bad_period": ("事实“{name}”的 yearly 须是 true 或 false(“{value}”)",
                         "yearly of the fact “{name}” must be true or false (“{value}”)"),
    "facts.bad_source": ("事实“{name}”的来源“{value}”不存在(可用:{allowed})",
                         "the fact “{name}” has an unknown source “{value}” ({allowed})"),
    "facts.clash": ("事实“{name}”已在 {other} 声明,含义不同({why})",
                    "the fact “{name}” is already declared in {other} with another meaning "
                    "({why})"),
    "facts.clash.hint": ("同名的事实须类型、单位、周期、范围和可选值都相同;否则给“{name}”另起一个名称。",
                         "A fact declared twice must have the same type, unit, period, range and "
                         "options; otherwise give “{name}” another name."),
    # ---- enterprise data
    "data.bad_shape": ("企业数据须是企业列表(或含 enterprises 的键值表)",
                       "enterprise data must be a list of enterprises (or a mapping with "
                       "enterprises)"),
    "data.no_id": ("第 {n} 家企业缺少 id(统一社会信用代码)", "enterprise {n} has no id "
                   "(credit code)"),
    "data.duplicate_id": ("企业“{id}”重复出现", "the enterprise “{id}” appears twice"),
    "data.unknown_fact": ("不认识的事实“{name}”", "unknown fact “{name}”"),
    "data.unknown_fact.hint": ("相近的事实:{suggestions}", "Similar facts: {suggestions}"),
    "data.bad_value": ("“{name}”的取值有误:{reason_zh}", "bad value for “{name}”: {reason_en}"),
    "data.decisions": ("评审决定表有误:{detail_zh}", "the table of review decisions is wrong: "
                       "{detail_en}"),
    "data.bad_choice": ("对“{name}”声明的“{value}”不是可选项(可选:{options})",
                        "“{value}”, declared for “{name}”, is not an option (use {options})"),
    "data.yearly_as_static": ("“{name}”是按年度的数据,请写在 years 下", "“{name}” is yearly; put "
                              "it under years"),
    "data.static_as_yearly": ("“{name}”不是按年度的数据,请写在 facts 下", "“{name}” is not "
                              "yearly; put it under facts"),
    "data.bad_year": ("年度“{year}”无效", "“{year}” is not a valid fiscal year"),
    "data.bad_field": ("不认识的项“{name}”(可用:id, name, facts, years, choices, reviews)",
                       "unknown key “{name}” (use id, name, facts, years, choices, reviews)"),
    "data.bad_column": ("不认识的列“{name}”", "unknown column “{name}”"),
    "data.bad_column.hint": ("列名是事实名,按年度的事实写成 名称@年度,如 revenue@2025。",
                             "Columns are fact names; yearly facts are name@year, e.g. "
                             "revenue@2025."),
    # ---- hints for the checker's messages
    "band.bad_bound.hint": ('端点写成数字、金额或百分比,如 [¥500万, ∞) 或 [25%, 30%)。', 'Write bounds as numbers, amounts or percentages, e.g. [¥500万, ∞) or [25%, 30%).'),
    "band.empty.hint": ('下限须小于上限;两端相等时两端都须用方括号。', 'The lower bound must be below the upper; equal bounds need square brackets on both sides.'),
    "band.infinite_inclusive.hint": ('写成 (-∞, 10%) 或 [30%, ∞)。', 'Write (-∞, 10%) or [30%, ∞).'),
    "band.mixed_units.hint": ('同一张表的各档须同为金额、同为比例或同为数字。', 'All bands of a table must be amounts, or ratios, or plain numbers.'),
    "benefit.amount_not_allowed.hint": ('认定、称号、服务类待遇不写 amount;要给钱请改用 fixed、share、per_unit 等。', 'Titles and services take no amount; to pay money use fixed, share, per_unit …'),
    "benefit.no_amount.hint": ('写出金额,如 amount: ¥20000 或 amount: 10% * rd_expense[-1]。', 'Give the amount, e.g. amount: ¥20000 or amount: 10% * rd_expense[-1].'),
    "condition.empty_group.hint": ('在 all_of / any_of 下至少写一个条件,或删去这个组。', 'Put at least one condition under all_of / any_of, or remove the group.'),
    "value.report_not_number.hint": ('列出得分、金额、比例等数值;条件请写在 conditions 中。', 'Report scores, amounts or ratios; conditions belong under conditions.'),
    "value.grade_table.hint": ('在 tables 下定义分档表,每档写 label,如 {range: "[90, ∞)", value: 1, label: A}。', 'Define a banded table under tables with a label per band, e.g. {range: "[90, ∞)", value: 1, label: A}.'),
    "score.no_review.hint": ('写成 review: 专家评审打分,并在 score 下写 pass_mark。', 'Write review: what the experts score, with score: {pass_mark: 60}.'),
    "score.no_formula.hint": ('例如 formula: 0.6 * tech + 0.4 * market(用分项的名称)。', 'E.g. formula: 0.6 * tech + 0.4 * market (the names of the parts).'),
    "score.formula_without_parts.hint": ('删去 formula,或在 parts 下列出各分项。', 'Remove formula, or list the parts under parts.'),
    "score.bad_range.hint": ('min、max 写成数字,min 不大于 max,如 {min: 0, max: 100}。', 'Write min and max as numbers, min not above max, e.g. {min: 0, max: 100}.'),
    "condition.shape.hint": ('一个条件写 when(表达式)、review(人工审核)、all_of 或 any_of 中的一个。', 'A condition has one of when (an expression), review (a person judges), all_of or any_of.'),
    "expr.unsupported.hint": ('改写成语言参考(docs/language.md)中的写法。', 'Rewrite it with the forms in docs/language.md.'),
    "func.arity.hint": ('函数用法见 docs/language.md 的表达式一节。', 'See the expressions section of docs/language.md for each function.'),
    "func.known_arg.hint": ('例如 known(revenue[-1]) 或 known(registration_date)。', 'E.g. known(revenue[-1]) or known(registration_date).'),
    "func.kwarg.hint": ('只有多年合计 sum/avg/min/max 有参数 younger=。', 'Only multi-year sum/avg/min/max take younger=.'),
    "group.no_cap.hint": ('写出每家企业每年的合计上限,如 cap: ¥100万。', 'Give the yearly total per enterprise, e.g. cap: ¥100万.'),
    "group.too_small.hint": ('就高不重复至少涉及两个条款;只有一个条款时删去这个组。', 'An exclusive group needs two clauses or more; remove a group of one.'),
    "literal.not_literal.hint": ('参数与分档的取值须是常量;计算请写在条件或命名值中。', 'Parameter and band values must be constants; compute in conditions or named values.'),
    "literal.syntax.hint": ('金额写 ¥20000 或 2万元,比例写 7%,日期写 2024-03-01。', 'Write money as ¥20000 or 2万元, ratios as 7%, dates as 2024-03-01.'),
    "literal.type.hint": ('取值须与参数的 type 一致,如 type: money 写 ¥20000,type: ratio 写 7%。', "The value must match the parameter's type: type: money takes ¥20000, type: ratio takes 7%."),
    "member.bad_item.hint": ('例如 industry in {"sensors", "new_materials"}。', 'E.g. industry in {"sensors", "new_materials"}.'),
    "member.not_set.hint": ('in 的右边写集合 {"a", "b"} 或一个集合类事实。', 'Put a set {"a", "b"} or a set-valued fact to the right of in.'),
    "pack.policy_missing.hint": ('检查 pack.yaml 中 policies 列出的文件名(相对 pack.yaml 所在目录)。', 'Check the file names listed under policies in pack.yaml (relative to its folder).'),
    "param.no_values.hint": ('写出至少一个取值,键为生效日期,如 values: {2024-01-01: ¥20000}。', 'Give at least one value keyed by the date it takes effect, e.g. values: {2024-01-01: ¥20000}.'),
    "policy.duplicate_id.hint": ('每项政策的 id 在政策包内须唯一。', "Each policy's id must be unique in its pack."),
    "program.bad_duration.hint": ('如 validity: 4 years,cooldown: 6 months。', 'E.g. validity: 4 years, cooldown: 6 months.'),
    "program.bad_window.hint": ('每年的窗口写 {opens: "03-01", closes: "04-30"},某一次的写具体日期。', 'A yearly window is {opens: "03-01", closes: "04-30"}; a single one uses dates.'),
    "program.mixed_window.hint": ('开始与截止同写 MM-DD 或同写 YYYY-MM-DD。', 'Write both ends as MM-DD or both as YYYY-MM-DD.'),
    "program.window_order.hint": ('交换开始与截止,或检查年份。', 'Swap the two dates, or check the years.'),
    "record.field_not_allowed.hint": ('count/exists 数记录,如 count(awards where level == "national");对字段求和用 sum(x.field)。', 'count/exists count records, e.g. count(awards where level == "national"); sum a field with sum(x.field).'),
    "set.literal_only.hint": ('集合写成 {"sensors", "new_materials"}。', 'Write a set as {"sensors", "new_materials"}.'),
    "table.bare.hint": ('如 band(st_points, st_staff[-1] / staff_total[-1])。', 'E.g. band(st_points, st_staff[-1] / staff_total[-1]).'),
    "table.lookup_key.hint": ('lookup 的键写枚举类事实或文字,如 lookup(amounts, best_level)。', 'Look up by an enum fact or text, e.g. lookup(amounts, best_level).'),
    "table.not_banded.hint": ('按枚举取值的表用 lookup(表, 键)。', 'A table of entries is used with lookup(table, key).'),
    "table.not_entries.hint": ('分档表用 band(表, 数值)。', 'A banded table is used with band(table, value).'),
    "table.shape.hint": ('分档写 bands(或按日期分版本的 versions),按枚举取值写 entries。', 'Write bands (or dated versions) for intervals, or entries for enum values.'),
    "type.not_date.hint": ('full_years 和 year_of 用于日期,如 full_years(registration_date, as_of)。', 'full_years and year_of take dates, e.g. full_years(registration_date, as_of).'),
    "type.not_number.hint": ('这里需要金额、比例或数字。', 'An amount, a ratio or a number is needed here.'),
    "where.outside_aggregate.hint": ('例如 count(awards where level == "national")。', 'E.g. count(awards where level == "national").'),
    "year.not_yearly.hint": ('直接写名称,如 registration_date,不加 [-1]。', 'Write the name alone, e.g. registration_date, without [-1].'),
    "year.offset.hint": ('年度写成相对评估日的负数:上年度 [-1],前年 [-2]。', 'Years are negative offsets from the evaluation date: last year [-1], the year before [-2].'),
    "year.range_order.hint": ('写成 [-3..-1](由早到晚)。', 'Write [-3..-1] (earliest first).'),
    "year.range_outside_aggregate.hint": ('如 sum(rd_expense[-3..-1], younger=actual)。', 'E.g. sum(rd_expense[-3..-1], younger=actual).'),
    "year.window_value.hint": ('actual:按实际经营年度;ineligible:不符合;zero:缺的年度按0计。', 'actual: the years it existed; ineligible: not met; zero: missing years count as 0.'),
    # ---- huiqi test: a pack's YAML cases on every engine
    "test.no_cases_folder": ("政策包 {pack} 没有 cases/ 目录:请把用例写在 {folder} 中,或直接给出用例文件或目录",
                             "the pack {pack} has no cases/ folder: put its cases in {folder}, "
                             "or name the case files or their folder"),
    "test.not_found": ("找不到用例文件或目录“{path}”", "no case file or folder “{path}”"),
    "test.no_cases": ("没有找到用例文件(含 pack: 与 cases: 的 YAML 文件)",
                      "no case files found (YAML files with pack: and cases:)"),
    "test.spark_unavailable": ("Spark 不可用(缺少 {detail}),只用一企引擎与 DuckDB 运行",
                               "Spark is not available (no {detail}); running on the engine and "
                               "DuckDB only"),
    "test.case_head": ("用例“{name}” · {key} · {where} · 评估日 {as_of}",
                       "case “{name}” · {key} · {where} · as of {as_of}"),
    "test.field": ("项", "field"),
    "test.expected": ("期望", "expected"),
    "test.actual": ("实际({engine})", "actual ({engine})"),
    "test.same": ("同期望", "as expected"),
    "test.absent": ("不在结果中(没有这个条款,或其政策在该日不施行)", "not in the results (no such "
                    "clause, or its policy is not in force on that date)"),
    "test.no_explanation": ("(无解释:该条款不在结果中)", "(no explanation: the clause is not in the "
                            "results)"),
    "test.engine.engine": ("一企引擎", "engine"),
    "test.engine.duckdb": ("DuckDB", "DuckDB"),
    "test.engine.spark": ("Spark", "Spark"),
    "test.summary": ("{files} 个用例文件,{cases} 个用例:{passed} 个通过,{failed} 个失败(引擎:{engines})",
                     "{files} case files, {cases} cases: {passed} passed, {failed} failed (engines: "
                     "{engines})"),
    # ---- reforms
    "reform.empty": ("改革方案是空的:请至少写出一项改动(changes),或使用上方“常用改革”表单",
                     "The reform is empty: write at least one change (changes), or use the common "
                     "reforms form above"),
    "reform.not_mapping": ("改革方案应以“id:”“title:”“changes:”等字段开头,而不是{found}",
                           "A reform starts with fields such as “id:”, “title:”, “changes:”, not {found}"),
    "reform.bad_ref": ("“{ref}”应写成 政策id/{what}", "“{ref}” must be written policy/{what}"),
    "reform.unknown": ("改革方案所指的{what_zh}“{ref}”不存在", "the reform names a {what_en} “{ref}” that "
                       "does not exist"),
    "reform.empty_change": ("这一项改动什么也没有改(需 parameter、table、clause 或 policy+add_clause)",
                            "this change changes nothing (give parameter, table, clause, or policy "
                            "with add_clause)"),
    "credit_code.invalid": ("统一社会信用代码“{value}”无效:{reason_zh}",
                            "the credit code “{value}” is invalid: {reason_en}"),
    "credit_code.invalid_at": ("统一社会信用代码“{value}”第 {position} 位无效:{reason_zh}",
                               "the credit code “{value}” is invalid at position {position}: "
                               "{reason_en}"),
    # ==== platform service: accounts, permissions, registry, imports, policies, API ====
    # problem titles (RFC 9457 "title"), one per error class
    "problem.input": ("请求有误", "Invalid request"),
    "problem.pack": ("政策包未通过检查", "Policy pack rejected"),
    "problem.data": ("数据文件未通过检查", "Data file rejected"),
    "problem.credit_code": ("统一社会信用代码无效", "Invalid credit code"),
    "problem.usage": ("请求无法执行", "Request cannot be done"),
    "problem.invalid_request": ("请求参数有误", "Invalid request"),
    "problem.not_found": ("未找到", "Not found"),
    "problem.rule": ("政策规则无法计算", "A rule could not be evaluated"),
    "problem.authentication": ("未登录或登录失败", "Not signed in"),
    "problem.permission_denied": ("无权访问", "Permission denied"),
    "problem.conflict": ("与当前状态冲突", "Conflict"),
    "problem.rate_limited": ("请求过于频繁", "Too many requests"),
    "problem.error": ("服务器内部错误", "Internal error"),
    "problem.internal": ("服务器内部错误,请稍后重试;如持续出现请联系管理员。",
                         "Something went wrong on the server; try again later and tell the "
                         "administrator if it persists."),
    "request.invalid": ("请求中有 {count} 处错误", "The request has {count} error(s)"),
    "request.field": ("“{field}”:{detail}", "“{field}”: {detail}"),
    "request.body": ("请求体无法解析(应为 JSON 或表单)", "The request body cannot be parsed (JSON or "
                     "a form is expected)"),
    "request.route": ("没有这个地址:{path}", "There is no such address: {path}"),
    "request.method": ("此地址不支持 {method} 方法", "This address does not accept {method}"),
    "request.nul": ("请求中含有不允许的空字符(\\0)", "The request contains a NUL character"),
    # ---- input limits (issue 10): request bodies, uploads, archives, NUL characters
    "problem.too_large": ("内容过大", "Content too large"),
    "request.nul_field": ("“{field}”中含有不允许的空字符(\\0)", "“{field}” contains a NUL character"),
    "limit.body": ("请求体过大:此地址至多接受 {limit}(由 {setting} 设定);文件请分成几个较小的上传",
                   "The request body is too large: this address accepts at most {limit} (set by "
                   "{setting}); split a file into smaller ones"),
    "limit.pack_bytes": ("政策包解压后过大:全部文件合计至多 {limit}(读到“{path}”时超出)",
                         "The policy pack is too large unpacked: at most {limit} for all its "
                         "files (passed at “{path}”)"),
    "limit.pack_files": ("政策包的文件过多:至多 {limit} 个", "The policy pack has too many files: "
                         "at most {limit}"),
    "limit.zip_ratio": ("压缩包中的“{path}”解压后超过压缩大小的 {limit} 倍,疑为压缩炸弹,已拒绝",
                        "“{path}” in the zip unpacks to more than {limit} times its packed size; "
                        "refused as a likely zip bomb"),
    "limit.zip_bad": ("无法读取压缩包“{name}”:{detail}", "Cannot read the zip “{name}”: {detail}"),
    # signing in
    "auth.required": ("请先登录(缺少有效的令牌)", "Sign in first (no valid token was given)"),
    "auth.invalid_token": ("令牌无效或已注销,请重新登录", "The token is invalid or signed out; sign in "
                           "again"),
    "auth.expired": ("登录已过期,请重新登录", "The session has expired; sign in again"),
    # the one answer to every failed sign-in (unknown name, disabled, locked, wrong password)
    "auth.bad_credentials": ("用户名或密码错误(连续多次失败后,需等待一段时间才能再次登录)",
                             "Wrong user name or password (after repeated failures, signing in "
                             "pauses for a while)"),
    "auth.paused": ("连续验证失败次数过多,请于 {until} 之后再试", "Too many failed attempts; try "
                    "again after {until}"),
    "auth.inactive": ("账号已停用,请联系管理员", "The account is disabled; ask an administrator"),
    "auth.totp_required": ("此账号已启用动态验证码,请同时输入6位验证码", "This account uses a "
                           "one-time code; give the 6-digit code too"),
    "auth.totp_invalid": ("动态验证码错误或已过期", "The one-time code is wrong or expired"),
    "auth.totp_not_started": ("请先开始绑定动态验证码", "Start the one-time-code set-up first"),
    "auth.totp_unreadable": ("此账号的动态验证码密钥无法读取(服务密钥可能已更换),请联系管理员关闭动态验证码后重新绑定",
                             "This account's one-time-code key cannot be read (the service's "
                             "secret key may have changed); ask an administrator to turn the "
                             "one-time code off, then bind it again"),
    "password.policy": ("密码不符合要求:{reasons_zh}", "The password does not meet the policy: "
                        "{reasons_en}"),
    "password.too_short": ("至少 {n} 个字符", "at least {n} characters"),
    "password.classes": ("须包含大写字母、小写字母、数字、符号中至少 {n} 类",
                         "at least {n} of: upper case, lower case, digits, symbols"),
    "password.has_username": ("不能包含用户名", "must not contain the user name"),
    "password.reused": ("不能与当前密码相同", "must differ from the current password"),
    "password.wrong_current": ("当前密码错误", "The current password is wrong"),
    # permissions
    "permission.denied": ("您的角色无权执行此操作({permission})",
                          "Your role may not do this ({permission})"),
    "permission.denied_target": ("您无权对“{target}”执行此操作({permission})",
                                 "You may not do this to “{target}” ({permission})"),
    # conflicts
    "account.exists": ("用户名“{username}”已被使用", "The user name “{username}” is taken"),
    "account.last_admin": ("“{username}”是最后一个启用的系统管理员,不能降级或停用;请先为另一账号授予管理员角色",
                           "“{username}” is the last active administrator and cannot be demoted "
                           "or disabled; make another account an administrator first"),
    "account.self_reset": ("不能在账号管理中重置自己的密码或动态验证码;请在本人设置中修改(需输入当前密码和验证码)",
                           "Your own password and one-time code are not reset through account "
                           "management; change them yourself (with your current password and "
                           "code)"),
    "account.needs_enterprise": ("企业用户须绑定一家企业", "An enterprise user must be bound to an "
                                 "enterprise"),
    "claim.decided": ("这项数据已经处理过({status})", "This value was already decided ({status})"),
    "enterprise.exists": ("统一社会信用代码为“{value}”的主体已存在", "An entity with the credit code "
                          "“{value}” already exists"),
    "version.state": ("版本 {version} 当前为“{state_zh}”,不能{action_zh}",
                      "Version {version} is {state_en}; it cannot be {action_en}"),
    "version.no_published": ("政策包“{pack}”没有已发布的版本", "The policy pack “{pack}” has no "
                             "published version"),
    "version.own": ("版本 {version} 由您本人上传,须由另一位有发布权限的人员核对差异后发布(双人复核)",
                    "You uploaded version {version}: another person with the right to publish must "
                    "review its differences and publish it (four eyes)"),
    "version.review": ("发布前请先查看版本 {version} 与已发布版本的差异(差异已变化或尚未查看)",
                       "Review the differences of version {version} against the published version "
                       "before publishing it (not reviewed, or they have changed since)"),
    "version.not_loadable": ("版本 {version} 无法加载,请先检查", "Version {version} cannot be loaded; "
                             "check it"),
    "pack.bad_path": ("文件路径“{path}”不合规范(须为包内的相对路径)",
                      "The file path “{path}” is not allowed (use a relative path inside the pack)"),
    "pack.not_utf8": ("文件“{path}”不是 UTF-8 文本", "The file “{path}” is not UTF-8 text"),
    "pack.no_files": ("至少上传一个文件", "Upload at least one file"),
    "pack.id_mismatch": ("pack.yaml 中的 id“{found}”与地址中的“{pack}”不一致",
                         "The id “{found}” in pack.yaml differs from “{pack}” in the address"),
    "facts.source_fixed": ("企业用户填报的数据来源固定为“企业自报”(self_reported),不能指定为“{source}”",
                           "Facts an enterprise user records are self-reported (self_reported); "
                           "their source cannot be set to “{source}”"),
    "location.before": ("迁移日期 {on} 须晚于当前注册地的起始日期 {since}",
                        "The move on {on} must come after the current registration began on "
                        "{since}"),
    "population.unavailable": ("人群引擎尚未提供", "The population engine is not available"),
    # service cases (huiqi.cases, issue 14)
    "case.agents_empty": ("至少指定一名代办员", "Name at least one agent"),
    "case.agent_unknown": ("以下账号不是代办员或管理员:{names}", "These accounts are not case "
                           "officers or administrators: {names}"),
    "case.file_empty": ("附件是空的", "The file is empty"),
    "case.range": ("{what_zh}须在 {low} 到 {high} 之间", "The {what_en} must be between {low} and "
                   "{high}"),
    "case.file_large": ("附件不能超过 {mb} MB", "A file may not exceed {mb} MB"),
    "case.evidence_required": ("整改须先上传整改证明材料,才能办结", "A rectification is closed only "
                               "with evidence: upload it first"),
    "case.template_unknown": ("没有代办模板“{template}”", "No project template “{template}”"),
    "case.category_unknown": ("没有诉求类别“{category}”(可用:{known})", "No request category “{category}” "
                              "(known: {known})"),
    "case.rating_closed": ("只能评价已办结的诉求", "Only a resolved request can be rated"),
    "case.rated": ("已评价过", "Already rated"),
    "case.rating_state": ("这条评价当前为“{state}”,不能这样处理", "The rating is {state}: it cannot "
                          "be handled so"),
    "case.no_rating": ("还没有评价", "There is no rating yet"),
    "case.same_district": ("迁入地与当前注册地相同", "The new district is the one it is in"),
    "case.move_open": ("该企业已有一个未办结的迁移申请(#{case})", "This enterprise has an open move "
                       "already (#{case})"),
    "case.wrong_district": ("这一步须由{district}的工作人员办理(您的账号所属区县:{mine});跨区迁移由迁出地和迁入地的"
                            "工作人员分别审批", "This step is for staff of {district} (your account's "
                            "district: {mine}): a move is approved by staff of the district it leaves "
                            "and by staff of the one it enters"),
    "case.second_approver": ("迁入地须由另一位工作人员同意(迁出地已由 {user} 同意)",
                             "The new district's approval must come from someone else ({user} "
                             "approved for the old district)"),
    "case.standard_body": ("服务标准内容有误:{detail}", "The service standard is wrong: {detail}"),
    "case.move_by_case": ("跨区迁移须通过迁移事项办理(迁出地、迁入地均同意后自动变更)",
                          "A move to another district goes through a move case (the location "
                          "changes once both districts approve)"),
    # workflow core: state machines and the working-day calendar (huiqi.workflow)
    "workflow.illegal": ("“{subject}”当前为“{state_zh}”,不能“{transition_zh}”(此时可以:{allowed_zh})",
                         "“{subject}” is {state_en}: it cannot be “{transition_en}” now (possible: "
                         "{allowed_en})"),
    "plan.summary": ("请填写走访情况", "Say what the visit found"),
    "push.no_account": ("只有登录账号才能设置本人的订阅", "Only a signed-in account has a "
                        "subscription of its own"),
    "push.unsubscribe_invalid": ("退订链接无效或已被改动", "The unsubscribe link is invalid or "
                                 "was altered"),
    "workflow.stale": ("“{subject}”刚被他人改变了状态,请刷新后重试", "“{subject}” was just changed by "
                       "someone else; reload it and try again"),
    "workflow.unknown_transition": ("流程“{workflow}”没有“{name}”这一步(可用:{known})",
                                    "The workflow “{workflow}” has no step “{name}” (known: {known})"),
    "workflow.reason_required": ("“{transition_zh}”须写明理由", "“{transition_en}” needs a reason"),
    "workflow.reason_too_long": ("理由不能超过 {max} 个字符", "The reason may not exceed {max} "
                                 "characters"),
    "calendar.unknown_year": ("不知道 {year} 年的放假和调休安排(程序包 chinese-calendar 只到 {last} 年,"
                              "管理员也未录入该年),不能推算以工作日计的期限。管理员可按国务院办公厅的"
                              "放假通知逐日录入(huiqi workdays set,或 PUT /calendar/days/YYYY-MM-DD),"
                              "再确认该年已录全(huiqi workdays declare-year)",
                              "China's holidays and make-up working days of {year} are not known "
                              "(the chinese-calendar package ends with {last} and no administrator "
                              "has entered {year}), so a deadline in working days cannot be "
                              "computed. An administrator enters the days from the State Council's "
                              "notice (huiqi workdays set, or PUT /calendar/days/YYYY-MM-DD), then "
                              "declares the year complete (huiqi workdays declare-year)"),
    "calendar.days_range": ("工作日数须在 0 到 {max} 之间,而不是 {days}", "The number of working "
                            "days must be between 0 and {max}, not {days}"),
    "calendar.year_empty": ("{year} 年还没有录入任何放假日,不能确认已录全", "No day off of {year} has "
                            "been entered yet: the year cannot be declared complete"),
    # programmes: calls, applications, panels, money (huiqi.programmes)
    "programme.bad_number": ("“{name}”须为非负的数,而不是“{value}”", "“{name}” must be a number, zero or more, "
                             "not “{value}”"),
    "programme.window_order": ("申报截止日 {closes} 早于开始日 {opens}", "The window closes ({closes}) before it "
                               "opens ({opens})"),
    "programme.rubric_needed": ("评审择优的项目须有评分细则(评分项、权重、及格线)", "A competitive programme needs a "
                                "rubric (criteria, weights, pass mark)"),
    "programme.quota_above_rule": ("名额 {quota} 超过条款 {clause} 规定的每年 {rule} 个", "A quota of {quota} is "
                                   "above the {rule} a year that the clause {clause} allows"),
    "programme.not_a_reviewer": ("“{username}”不是评审专家账号", "“{username}” is not a reviewer's account"),
    "programme.exists": ("项目“{key}”已存在", "The programme “{key}” exists already"),
    "programme.no_application": ("项目“{programme}”免申即享,无需申报", "The programme “{programme}” needs no "
                                 "application (免申即享)"),
    "programme.window_closed": ("项目“{programme}”的申报时间为 {opens} 至 {closes},今天({today})不在其中",
                                "The programme “{programme}” takes applications from {opens} to {closes}; "
                                "today ({today}) is outside that window"),
    "programme.not_editable": ("申报 #{application} 当前为“{state_zh}”,不能修改", "Application #{application} is "
                               "{state_en}: it cannot be changed"),
    "programme.material_kind": ("本项目不收“{kind}”类材料(可上传:{known})", "This programme takes no material "
                                "of the kind “{kind}” (known: {known})"),
    "programme.material_type": ("文件“{name}”不是所要求的类型({types}),或内容与扩展名不符",
                                "The file “{name}” is not of a type asked for ({types}), or its content "
                                "does not match its extension"),
    "programme.material_size": ("文件“{name}”大小为 {size} 字节,须在 1 到 {max} 字节之间",
                                "The file “{name}” has {size} bytes; it must have 1 to {max}"),
    "programme.materials_missing": ("尚缺申报材料:{missing}", "Materials still missing: {missing}"),
    "programme.not_eligible": ("按政策条款不符合条件:{failed}", "Not eligible under the clause: {failed}"),
    "programme.facts_missing": ("尚缺条款所需的数据:{missing};请在申报表中补充", "Facts the clause needs are "
                                "missing: {missing}; complete them in the form"),
    "programme.notice_running": ("公示期至 {ends} 结束,结束后才能立项", "The public notice runs until {ends}; "
                                 "the grant comes after it"),
    "programme.objection_open": ("申报 #{application} 有尚未答复的公示异议", "Application #{application} has an "
                                 "objection not answered yet"),
    "programme.not_granted": ("申报 #{application} 当前为“{state_zh}”,不能拨付", "Application #{application} is "
                              "{state_en}: nothing can be paid"),
    "programme.overpaid": ("申报 #{application} 本次拨付 {amount} 元将超过立项金额(尚可拨付 {left} 元)",
                           "Paying {amount} would exceed the grant of application #{application} ({left} "
                           "left to pay)"),
    "programme.not_in_notice": ("申报 #{application} 不在公示期", "Application #{application} is not in public "
                                "notice"),
    "programme.objection_answered": ("异议 #{objection} 已答复", "Objection #{objection} was answered already"),
    "programme.reviewer_conflict": ("评审专家“{reviewer}”已声明与申报 #{application} 的企业存在利益冲突,不能分配",
                                    "The reviewer “{reviewer}” declared a conflict of interest with the "
                                    "enterprise of application #{application}: not assigned"),
    "programme.not_in_review": ("申报 #{application} 不在评审阶段", "Application #{application} is not in review"),
    "programme.conflict_answered": ("申报 #{application} 的利益冲突声明已作出", "The conflict question of "
                                    "application #{application} is answered already"),
    "programme.conflict_first": ("请先声明与申报 #{application} 的企业是否存在利益冲突", "Declare first whether "
                                 "you have a conflict of interest with the enterprise of application "
                                 "#{application}"),
    "programme.no_rubric": ("项目“{programme}”没有评分细则", "The programme “{programme}” has no rubric"),
    "programme.panel_decides": ("项目“{programme}”评审择优,须在全部评审完成后统一决定", "The programme "
                                "“{programme}” is competitive: it is decided as a whole, after every review"),
    "programme.budget_exhausted": ("项目“{programme}”的预算、本年度预算或名额已用完,不能再支持 {amount} 元",
                                   "The budget, the year's budget or the quota of “{programme}” is used up: "
                                   "{amount} cannot be committed"),
    "programme.budget_above_year": ("本批次预算 {budget} 元超过年度预算 {year} 元", "This call's budget of "
                                    "{budget} is above the year's budget of {year}"),
    "programme.year_line_differs": ("条款 {clause} 在 {year} 年已有批次“{other}”,年度预算为 {line} 元;同一年度的各批次"
                                    "共用一条年度预算,请填写相同的金额", "The clause {clause} already has the call "
                                    "“{other}” in {year} with a year's budget of {line}: the calls of one year "
                                    "share one yearly line, give the same amount"),
    "programme.nothing_to_decide": ("项目“{programme}”没有待决定的申报", "The programme “{programme}” has no "
                                    "application to decide"),
    "programme.reviews_pending": ("申报 #{application} 尚有 {pending} 位评审专家未完成评审,不能决定",
                                  "Application #{application} has {pending} review(s) not done: no decision "
                                  "yet"),
    "programme.not_automatic": ("项目“{programme}”不是免申即享项目", "The programme “{programme}” is not "
                                "automatic (免申即享)"),
    "programme.not_committed": ("申报 #{application} 尚未决定支持", "Application #{application} was not selected"),
    "programme.budget_above_rule": ("预算 {budget} 元超过条款 {clause} 规定的总预算 {rule} 元", "A budget of "
                                    "{budget} is above the total of {rule} that the clause {clause} declares"),
    "programme.window_outside_rule": ("申报时间须在条款 {clause} 规定的申报期内({windows})", "The window must lie "
                                      "within the clause {clause}'s windows ({windows})"),
    "programme.once_only": ("条款 {clause} 的支持每家企业只享受一次(已在申报 #{application} 中获得)",
                            "The clause {clause} is granted once per enterprise (already in application "
                            "#{application})"),
    "programme.cooldown": ("条款 {clause} 获支持后须间隔一段时间才能再次申报,{until} 起可再申报",
                           "After a grant under {clause} the enterprise may apply again from {until}"),
    "programme.score_missing": ("缺少评分项“{criterion}”的分数", "The criterion “{criterion}” has no score"),
    "programme.score_range": ("评分项“{criterion}”的分数须在 0 到 {scale} 之间", "The score of “{criterion}” must "
                              "be between 0 and {scale}"),
    "programme.score_unknown": ("评分细则中没有评分项“{criterion}”", "The rubric has no criterion “{criterion}”"),
    "demo.production": ("生产环境中不能创建演示数据", "Demo data cannot be created in production"),
    "settings.secret": ("生产和测试环境须设置 HUIQI_SECRET_KEY(至少32个字符,且不能用默认值)",
                        "HUIQI_SECRET_KEY must be set outside development (32 characters or more, "
                        "not a default value)"),
    # rate limits
    "rate.limited": ("请求过于频繁,请 {seconds} 秒后再试", "Too many requests; try again in {seconds} "
                     "second(s)"),
    # the audit log's hash chain
    "audit.chain_ok": ("审计日志完整:{rows} 条记录的哈希链全部验证通过(最后一条 #{head},哈希 {hash}…)",
                       "The audit log is intact: the hash chain of its {rows} entries verifies "
                       "(last entry #{head}, hash {hash}…)"),
    "audit.chain_changed": ("审计日志被篡改:第 #{id} 条记录的内容或哈希与写入时不符(此前 {checked} 条验证通过)",
                            "The audit log was tampered with: entry #{id} is not what was "
                            "written (its content or hash differs; the {checked} entries "
                            "before it verify)"),
    "audit.chain_unlinked": ("审计日志被篡改:第 #{id} 条记录未接在第 #{previous} 条之后——二者之间有记录被删除,"
                             "或其中一条是插入或改写的(此前 {checked} 条验证通过)",
                             "The audit log was tampered with: entry #{id} does not follow "
                             "entry #{previous} — an entry between them was removed, or one "
                             "of them was inserted or rewritten (the {checked} entries before "
                             "it verify)"),
    "audit.chain_backdated": ("审计日志被篡改:第 #{id} 条记录的时间早于第 #{previous} 条,是倒填日期追加的"
                              "(此前 {checked} 条验证通过)",
                              "The audit log was tampered with: entry #{id} is dated before "
                              "entry #{previous}; it was appended back-dated (the {checked} "
                              "entries before it verify)"),
    # imports
    "import.unknown_column": ("不认识的列“{name}”", "unknown column “{name}”"),
    "import.unknown_column.hint": ("列名须是事实名(按年度的写成 名称@年度,如 revenue@2025),"
                                   "或在映射文件中改名。相近:{suggestions}",
                                   "Columns are fact names (yearly: name@year, e.g. revenue@2025) "
                                   "or renamed in a mapping file. Similar: {suggestions}"),
    "import.duplicate_column": ("列“{name}”出现了两次", "the column “{name}” appears twice"),
    "import.no_id_column": ("缺少统一社会信用代码列 id", "there is no credit-code column id"),
    "import.no_id_column.hint": ("第一行须是列名,其中一列为 id(或在映射文件中把某列映射为 id)。",
                                 "The first row holds the column names, one of them id (or map a "
                                 "column to id in a mapping file)."),
    "import.missing_id": ("缺少统一社会信用代码", "the credit code is missing"),
    "import.missing_name": ("新主体须有名称(name 列)", "a new entity needs a name (column name)"),
    "import.duplicate_row": ("统一社会信用代码“{value}”在第 {first} 行已出现", "the credit code "
                             "“{value}” already appears on row {first}"),
    "import.duplicate_object": ("统一社会信用代码“{value}”在同一批主体中出现两次",
                                "the credit code “{value}” appears twice among the entities"),
    "import.bad_value": ("“{column}”的值“{value}”有误:{reason_zh}",
                         "bad value “{value}” in “{column}”: {reason_en}"),
    "import.bad_year": ("列“{name}”的年度无效", "the year of the column “{name}” is not valid"),
    "import.too_long": ("第 {row} 行的单元格多于列名", "row {row} has more cells than columns"),
    "import.more_problems": ("另有 {count} 处问题未列出", "{count} more problem(s) not listed"),
    "import.bad_mapping": ("映射文件有误:{detail}", "the mapping file is wrong: {detail}"),
    "import.empty": ("文件是空的", "the file is empty"),
    # ---- input limits of imports (issue 10): workbooks, cells, encodings
    "import.xlsx_too_large": ("工作簿解压后过大:各部分合计 {size},至多 {limit}",
                              "The workbook is too large unpacked: {size} in all, at most {limit}"),
    "import.xlsx_too_large.hint": ("另存为 CSV(UTF-8)后上传,或分成几个文件。",
                                   "Save it as CSV (UTF-8) and upload that, or split it into "
                                   "several files."),
    "import.xlsx_part_too_large": ("工作簿中的“{part}”解压后为 {size},至多 {limit}(这一部分须整体读入内存)",
                                   "The part “{part}” of the workbook is {size} unpacked, at most "
                                   "{limit} (this part is read whole into memory)"),
    "import.xlsx_part_too_large.hint": ("另存为 CSV(UTF-8)后上传,或分成几个文件。",
                                        "Save it as CSV (UTF-8) and upload that, or split it into "
                                        "several files."),
    "import.cell_too_long": ("“{column}”的单元格有 {length} 个字符,至多 {limit} 个",
                             "the cell in “{column}” has {length} characters, at most {limit}"),
    "import.line_too_long": ("这一行超过 {limit} 个字符", "this line is longer than {limit} characters"),
    "import.xlsx_cell_too_long": ("工作表“{part}”中有单元格超过 {limit} 个字符(未打开工作簿即已拒绝)",
                                  "a cell of the worksheet “{part}” is longer than {limit} "
                                  "characters (refused before the workbook was opened)"),
    "import.nul": ("“{column}”的单元格含有不允许的空字符(\\0)",
                   "the cell in “{column}” contains a NUL character"),
    "import.encoding": ("无法识别文件的编码:既不是 UTF-8,也不是 GB18030/GBK,也没有 UTF-16 的字节顺序标记({detail})",
                        "The file's encoding is not recognised: not UTF-8, not GB18030/GBK, and "
                        "no UTF-16 byte-order mark ({detail})"),
    "import.encoding.hint": ("在 Excel 中选“文件 → 另存为”,保存类型选“CSV UTF-8(逗号分隔)(*.csv)”;"
                             "在 WPS 中选“CSV 文件”并把编码设为 UTF-8。",
                             "In Excel choose File → Save As and the type “CSV UTF-8 (Comma "
                             "delimited) (*.csv)”; in WPS choose CSV and set the encoding to "
                             "UTF-8."),
    "import.concurrent": ("另一项导入或修改同时写入了相同的主体;本次未导入任何数据,请重新导入",
                          "Another import or change wrote the same entities at the same time; "
                          "nothing was imported, import the file again"),
    "import.reference": ("导入写入 {table} 的一行引用了 {target} 中不存在的行({column} = {value}),"
                         "本次未导入任何数据",
                         "A row the import wrote into {table} refers to no row of {target} "
                         "({column} = {value}); nothing was imported"),
    "import.rejected": ("文件 {subject} 未通过检查,共 {count} 处问题,未导入任何数据:",
                        "The file {subject} failed checking with {count} problem(s); nothing was "
                        "imported:"),
    # ==== end of platform service ====
    # ==== vouchers (issue 13) ====
    "voucher.empty_transaction": ("交易 {reference} 没有金额", "The transaction {reference} moves nothing"),
    "voucher.unbalanced": ("交易 {reference} 借贷不平衡或金额精确到分以下,未记账",
                           "The transaction {reference} does not balance (or has fractions of a fen); "
                           "nothing was posted"),
    "voucher.no_parameter": ("参数 {name} 在 {day} 没有生效的值", "The parameter {name} has no value on {day}"),
    "voucher.bad_period": ("期间“{period}”无效,应为如 2025Q2 的季度", "The period “{period}” is not a quarter "
                           "such as 2025Q2"),
    "voucher.not_found": ("未找到 {what} #{id}", "{what} #{id} not found"),
    "voucher.bad_amount": ("金额 {amount} 无效", "The amount {amount} is not valid"),
    "voucher.already_issued": ("该企业已领取“{scheme}”的创新券", "The enterprise already holds a voucher of "
                               "“{scheme}”"),
    "voucher.budget_exhausted": ("“{scheme}”预算余额 {left} 元,不足以发放 {amount} 元",
                                 "“{scheme}” has {left} left in its budget: {amount} cannot be issued"),
    "voucher.not_valid": ("创新券 #{voucher} 已失效(有效期至 {until})", "Voucher #{voucher} is no longer "
                          "valid (valid until {until})"),
    "voucher.provider_not_recognised": ("服务机构 #{provider} 不是有效的火炬创新平台",
                                        "Provider #{provider} is not a recognised platform"),
    "voucher.contract_redeemed": ("合同 {number} 已兑付过创新券,不能重复兑付",
                                  "The contract {number} has already been redeemed"),
    "voucher.quota_exhausted": ("创新券 #{voucher} 额度已用完", "Voucher #{voucher} has no quota left"),
    "voucher.contract_state": ("合同 {number} 当前状态为 {state},不能进行此操作",
                               "The contract {number} is {state}: not possible now"),
    "voucher.period_open": ("{period} 尚未结束(截至 {end}),不能申请兑付",
                            "{period} has not ended (it ends on {end}): it cannot be claimed yet"),
    "voucher.claimed": ("{period} 已申请过兑付", "{period} has been claimed already"),
    "voucher.nothing_to_claim": ("{period} 没有已确认、待兑付的合同", "No confirmed contract to claim in "
                                 "{period}"),
    "voucher.not_settled": ("{period} 的兑付尚未支付,不能计算奖励", "The claim of {period} is not settled: "
                            "no bonus yet"),
    "voucher.not_expired": ("创新券 #{voucher} 有效期至 {until},尚未到期", "Voucher #{voucher} is valid "
                            "until {until}: not expired"),
    "voucher.scheme_exists": ("创新券方案“{key}”已存在", "The voucher scheme “{key}” exists already"),
    "voucher.provider_state": ("服务机构当前状态为 {state},不能进行此操作", "The provider is {state}: not "
                               "possible now"),
    "voucher.not_eligible": ("企业不符合“{clause}”的条件({status}),不能发放创新券",
                             "The enterprise does not qualify for “{clause}” ({status}): no voucher"),
    "challenge.exists": ("榜单“{key}”已存在", "The challenge list “{key}” exists already"),
    "market.unknown_category": ("类别“{category}”不在供需对接的统一词表中",
                                "The category “{category}” is not in the market's vocabulary"),
    "market.unknown_spec": ("指标“{spec}”不是类别“{category}”的规格", "“{spec}” is not a "
                            "specification of “{category}”"),
    "market.spec_value": ("规格“{label}”({spec})应为{shape},收到的是 {value},未作改动",
                          "“{label}” ({spec}) should be {shape_en}; got {value}: nothing changed"),
    "market.unknown_qualification": ("资质“{qualification}”不在供需对接的统一词表中",
                                     "The qualification “{qualification}” is not in the market's "
                                     "vocabulary"),
    "challenge.milestone_shares": ("各里程碑的拨付比例之和须为 1", "The milestones' shares must sum to 1"),
    "challenge.state": ("榜单当前状态为 {state},不能进行此操作", "The list is {state}: not possible now"),
    "challenge.budget_exceeded": ("榜单预算 {budget} 元,合计 {total} 元将超出预算,未作改动",
                                  "The list's budget is {budget}: a total of {total} would exceed "
                                  "it; nothing changed"),
    "challenge.agreement_needed": ("联合体申报须上传联合体协议", "A consortium must upload its agreement"),
    "challenge.twice": ("单位 {who} 在同一申请中出现了两次", "{who} appears twice in one application"),
    "challenge.closed": ("榜单“{key}”当前不接受申请", "The list “{key}” takes no application now"),
    "challenge.applied": ("单位 {who} 已申请任务 {task}(每个任务每个单位只能申请一次)",
                          "{who} has already applied for task {task} (one application per task "
                          "per applicant)"),
    "challenge.nothing_to_select": ("任务 {task} 没有待评审的申请", "Task {task} has no application "
                                    "to select from"),
    "challenge.unscored": ("申请 {application} 没有评分", "Application {application} has no scores"),
    "challenge.not_selected": ("申请 {application} 未入选", "Application {application} was not selected"),
    "challenge.milestone_done": ("里程碑 {milestone} 已验收", "The milestone {milestone} has already "
                                 "been accepted"),
    "competition.exists": ("竞赛“{key}”已存在", "The competition “{key}” exists already"),
    "competition.prize_shares": ("各奖项占奖金的比例之和为 {total},不能超过 1,且名次不能重复",
                                 "The prizes' shares sum to {total}: at most 1, each rank once"),
    "competition.problem_exists": ("命题编号 {problem} 已被使用", "The problem code {problem} is taken"),
    "competition.needs_scores": ("“{transition}”须附评审专家的评分", "“{transition}” needs the "
                                 "panel's scores"),
    "competition.unknown_team": ("团队 #{team} 不在本阶段的评审名单中", "Team #{team} is not "
                                 "among the teams of this stage"),
    "competition.unscored": ("团队“{team}”没有评分", "The team “{team}” has no scores"),
    "competition.member_twice": ("队员“{name}”在同一团队中出现了两次", "“{name}” appears twice "
                                 "in one team"),
    "competition.closed": ("命题 {problem} 当前为“{state}”,不接受报名", "The problem {problem} takes no "
                           "registration now ({state})"),
    "competition.team_exists": ("命题 {problem} 已有名为“{name}”的团队", "The problem {problem} has a "
                                "team named “{name}” already"),
    # ==== end of vouchers ====
}


def message(code: str, **params: object) -> Text:
    zh, en = MESSAGES.get(code, (code, code))
    try:
        return Text(zh.format(**params), en.format(**params))
    except (KeyError, IndexError):
        return Text(zh, en)
