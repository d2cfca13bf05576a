<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AblationBar</name>
    <message>
        <location filename="../ablation_bar.py" line="30"/>
        <source>Compare Again</source>
        <translation>再比较一次</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="31"/>
        <source>Run the intact and the switched-off model again with the Generate tab&apos;s prompt and settings as they are now</source>
        <translation>用“生成”页当前的提示词和设置，重新运行完整模型和关闭部件后的模型</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="34"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="36"/>
        <source>Switch All Back On</source>
        <translation>全部重新打开</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="47"/>
        <source>Show in Generate</source>
        <translation>在“生成”中查看</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="48"/>
        <source>The intact and the switched-off runs side by side</source>
        <translation>完整运行与关闭部件后的运行并排对照</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="62"/>
        <source>&lt;b&gt;Switched off&lt;/b&gt; (click one to switch it back on): {0}</source>
        <translation>&lt;b&gt;已关闭&lt;/b&gt;（点击一项即可重新打开）：{0}</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="64"/>
        <source>Nothing is switched off: right-click a head in the Inside tab&apos;s attention grid or heads map, or an attention or MLP box of its model diagram, to switch it off and see what changes.</source>
        <translation>尚未关闭任何部件：在“内部”页的注意力网格或注意力头图中右键点击一个头，或在模型结构图中右键点击注意力或 MLP 方框，即可关闭它并查看带来的变化。</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="70"/>
        <source>running the intact model…</source>
        <translation>正在运行完整模型…</translation>
    </message>
    <message>
        <location filename="../ablation_bar.py" line="71"/>
        <source>running with the parts switched off…</source>
        <translation>正在运行关闭部件后的模型…</translation>
    </message>
</context>
<context>
    <name>AblationPanel</name>
    <message>
        <location filename="../ablation_panel.py" line="22"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="23"/>
        <source>intact run</source>
        <translation>完整运行</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="24"/>
        <source>switched off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="25"/>
        <source>p intact</source>
        <translation>完整 p</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="26"/>
        <source>p off</source>
        <translation>关闭后 p</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="27"/>
        <source>KL (nats)</source>
        <translation>KL（奈特）</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="28"/>
        <source>rose</source>
        <translation>上升</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="29"/>
        <source>fell</source>
        <translation>下降</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="33"/>
        <source>The token the intact run chose at this step</source>
        <translation>完整运行在这一步选中的词元</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="34"/>
        <source>The token the run with the parts switched off chose at this step</source>
        <translation>关闭部件后的运行在这一步选中的词元</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="35"/>
        <source>The intact model&apos;s probability of the switched-off run&apos;s token, at the switched-off run&apos;s context</source>
        <translation>在关闭部件后运行的上下文中，完整模型给该运行所选词元的概率</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="37"/>
        <source>The switched-off model&apos;s probability of its token</source>
        <translation>关闭部件后的模型给自己所选词元的概率</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="38"/>
        <source>KL(intact ‖ switched off) of the next-token distributions at the same context: 0 where switching off changed nothing</source>
        <translation>同一上下文下两个下一词元分布的 KL(完整 ‖ 关闭后)：关闭部件没有带来变化时为 0</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="40"/>
        <source>The candidates whose probability rose the most (intact → switched off)</source>
        <translation>概率上升最多的候选（完整 → 关闭后）</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="41"/>
        <source>The candidates whose probability fell the most (intact → switched off)</source>
        <translation>概率下降最多的候选（完整 → 关闭后）</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="70"/>
        <source>The intact model&apos;s text appears here.</source>
        <translation>完整模型生成的文本显示在这里。</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="71"/>
        <source>The text with the parts switched off appears here.</source>
        <translation>关闭部件后生成的文本显示在这里。</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="75"/>
        <source>&lt;b&gt;Intact&lt;/b&gt;</source>
        <translation>&lt;b&gt;完整&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="76"/>
        <source>&lt;b&gt;Switched off&lt;/b&gt;</source>
        <translation>&lt;b&gt;已关闭部件&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ablation_panel.py" line="148"/>
        <source>&lt;b&gt;step {0}&lt;/b&gt;: KL {1} nats</source>
        <translation>&lt;b&gt;第 {0} 步&lt;/b&gt;：KL {1} 奈特</translation>
    </message>
</context>
<context>
    <name>AttentionGrid</name>
    <message>
        <location filename="../attention_grid.py" line="100"/>
        <source>No attention for this step.</source>
        <translation>这一步没有注意力数据。</translation>
    </message>
    <message>
        <location filename="../attention_grid.py" line="113"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
    <message>
        <location filename="../attention_grid.py" line="162"/>
        <source>block {0}, head {1} looked most at: </source>
        <translation>第 {0} 块第 {1} 头最关注：</translation>
    </message>
</context>
<context>
    <name>CandidatesTable</name>
    <message>
        <location filename="../candidates_table.py" line="22"/>
        <location filename="../candidates_table.py" line="57"/>
        <source>Candidates</source>
        <translation>候选词元</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="26"/>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="26"/>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="26"/>
        <source>id</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="40"/>
        <source>Double-click a candidate to continue the run from this step with it instead</source>
        <translation>双击一个候选，让这次运行从这一步起改用它继续</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="43"/>
        <source>Continue with This Token</source>
        <translation>用这个词元继续</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="44"/>
        <source>Cut the run after this step, put the chosen candidate in place of the model&apos;s token, and generate on from there (a branch)</source>
        <translation>在这一步之后截断运行，用选中的候选替换模型的词元，然后从那里继续生成（一个分支）</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="66"/>
        <source>Candidates at step {0}: chose {1} with p = {2}; entropy {3} bits</source>
        <translation>第 {0} 步的候选：选中 {1}，p = {2}；熵 {3} 比特</translation>
    </message>
    <message>
        <location filename="../candidates_table.py" line="69"/>
        <source> (your choice; the model chose {0})</source>
        <translation>（你的选择；模型选的是 {0}）</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <location filename="../compare_view.py" line="41"/>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="41"/>
        <location filename="../compare_view.py" line="45"/>
        <source>rel L2</source>
        <translation>相对 L2</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="42"/>
        <location filename="../compare_view.py" line="46"/>
        <source>max |B−A|</source>
        <translation>最大 |B−A|</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="42"/>
        <location filename="../compare_view.py" line="46"/>
        <source>cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="43"/>
        <source>bits/param A → B</source>
        <translation>每参数比特 A → B</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="45"/>
        <source>role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="47"/>
        <source>B stored as</source>
        <translation>B 的存储格式</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="47"/>
        <source>tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="23"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="23"/>
        <source>size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="24"/>
        <source>bits/param</source>
        <translation>每参数比特</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="24"/>
        <source>mean KL</source>
        <translation>平均 KL</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="25"/>
        <source>top-1</source>
        <translation>首选一致</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="26"/>
        <source>PPL B/A</source>
        <translation>困惑度 B/A</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="26"/>
        <source>drift peak</source>
        <translation>偏离最多处</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="30"/>
        <source>The model file, within the folder</source>
        <translation>模型文件（在文件夹内的路径）</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="31"/>
        <source>The file&apos;s bytes (its external data included)</source>
        <translation>文件的字节数（含外部数据）</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="32"/>
        <source>Bits per parameter as stored</source>
        <translation>按存储方式计算的每参数位数</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="33"/>
        <source>Mean KL(reference ‖ file) per token of the continuation, in nats</source>
        <translation>续写中每个词元的平均 KL(参考 ‖ 文件)，单位奈特</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="34"/>
        <source>The 99th percentile of the KL per token, in nats</source>
        <translation>每个词元 KL 的第 99 百分位数，单位奈特</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="35"/>
        <source>How often the file&apos;s top token is the reference&apos;s</source>
        <translation>文件的首选词元与参考相同的比例</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="36"/>
        <source>The file&apos;s perplexity on the text over the reference&apos;s (above 1: worse)</source>
        <translation>文件在文本上的困惑度除以参考的困惑度（大于 1：更差）</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="37"/>
        <source>Where the file&apos;s residual stream drifts from the reference&apos;s most</source>
        <translation>文件的残差流偏离参考最多的地方</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="38"/>
        <source>The first position of the continuation where the file would choose another token (counted from 1)</source>
        <translation>续写中文件首次会选择另一个词元的位置（从 1 数起）</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="40"/>
        <source>The file&apos;s own decode speed</source>
        <translation>文件自身的解码速度</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="41"/>
        <source>How the file stores its weights</source>
        <translation>文件如何存储权重</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="69"/>
        <source>Every file of the folder against the float one, reading the same continuation and text, best per byte first: KL(reference ‖ file) per token, how often the top tokens agree, the perplexity ratio, the block where the drift grows most, and the file&apos;s own decode speed.</source>
        <translation>文件夹中的每个文件与浮点文件对比，读取相同的续写和文本，每字节质量最好的在前：每个词元的 KL(参考 ‖ 文件)、首选词元一致的比例、困惑度之比、偏离增长最多的块，以及文件自身的解码速度。</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="122"/>
        <source>rank {0} by quality per byte</source>
        <translation>按每字节质量排名第 {0}</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="124"/>
        <source>the file to take (see above)</source>
        <translation>推荐选用的文件（见上方）</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="126"/>
        <source>the file to avoid (see above)</source>
        <translation>应避免的文件（见上方）</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="128"/>
        <source>no better than {0}: no larger and closer to the reference</source>
        <translation>不如 {0}：后者不更大且更接近参考</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="25"/>
        <source>p99 KL</source>
        <translation>p99 KL</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="27"/>
        <source>tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="27"/>
        <source>differs at</source>
        <translation>首次不同</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="28"/>
        <source>stored as</source>
        <translation>存储格式</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="49"/>
        <source>&lt;b&gt;Compare&lt;/b&gt; the open model with another — a quantized file of the same folder, a fine-tune beside its base — weight by weight and token by token; or every file of its folder against the float one.</source>
        <translation>把打开的模型与另一个模型&lt;b&gt;比较&lt;/b&gt;——同一文件夹中的量化文件、放在基座旁边的微调模型——逐个权重、逐个词元地比较；或者把文件夹中的每个文件都与浮点模型比较。</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="75"/>
        <source>◀ All Variants</source>
        <translation>◀ 所有变体</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="76"/>
        <source>Back to the table of every file of the folder</source>
        <translation>回到文件夹中所有文件的表格</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="79"/>
        <source>A&apos;s greedy continuation of this prompt is read by both models</source>
        <translation>两个模型都读取 A 对这段提示的贪心续写</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="82"/>
        <source>How many tokens of A&apos;s continuation both models read</source>
        <translation>两个模型读取 A 的续写中的多少个词元</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="85"/>
        <source>Compare again</source>
        <translation>重新比较</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="86"/>
        <source>The same comparison with this prompt and number of tokens</source>
        <translation>用这个提示和词元数重做同一比较</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="88"/>
        <source>Compare With…</source>
        <translation>与…比较</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="90"/>
        <source>Compare All Variants</source>
        <translation>比较所有变体</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="91"/>
        <source>Every file of the open model&apos;s folder against the float one</source>
        <translation>把打开的模型所在文件夹中的每个文件与浮点模型比较</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="95"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="105"/>
        <source>prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="107"/>
        <source>tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="113"/>
        <source>File → Compare With… or File → Compare All Variants.</source>
        <translation>文件 → 与…比较，或 文件 → 比较所有变体。</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="147"/>
        <source>Compare with another ONNX model</source>
        <translation>与另一个 ONNX 模型比较</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="173"/>
        <source>every file of {folder}</source>
        <translation>{folder} 中的所有文件</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="176"/>
        <source>A: {a}   B: {b}</source>
        <translation>A：{a}   B：{b}</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="224"/>
        <source>&lt;b&gt;Layers&lt;/b&gt;, the most changed first (rel L2 = ‖B − A‖ / ‖A‖)</source>
        <translation>&lt;b&gt;各层&lt;/b&gt;，变化最大的在前（相对 L2 = ‖B − A‖ / ‖A‖）</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="225"/>
        <source>&lt;b&gt;Tensors&lt;/b&gt; of the selected layer</source>
        <translation>所选层的&lt;b&gt;张量&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="228"/>
        <source>B − A, the selected tensor</source>
        <translation>B − A（所选张量）</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="229"/>
        <source>values of A and B</source>
        <translation>A 与 B 的数值</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="231"/>
        <source>KL(A ‖ B) per position of A&apos;s continuation (nats)</source>
        <translation>A 的续写中每个位置的 KL(A ‖ B)（奈特）</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="257"/>
        <source>&lt;b&gt;The figures llama.cpp reports&lt;/b&gt;, B against A</source>
        <translation>&lt;b&gt;llama.cpp 报告的指标&lt;/b&gt;，B 对比 A</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="264"/>
        <source>&lt;b&gt;Where B&apos;s residual stream leaves A&apos;s&lt;/b&gt;, block by block</source>
        <translation>&lt;b&gt;B 的残差流在哪里偏离 A&lt;/b&gt;，逐块</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="281"/>
        <source>What the models say</source>
        <translation>模型的输出</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="282"/>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="54"/>
        <source>Double-click a file to compare it with the reference, tensor by tensor and token by token</source>
        <translation>双击一个文件，把它与参考模型逐个张量、逐个词元地比较</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="331"/>
        <source>&lt;b&gt;{0}&lt;/b&gt; {1}: {2}, {3} bits/param, {4}</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt; {1}：{2}，每参数 {3} 比特，{4}</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="334"/>
        <source>{0} tensor matched by layer and role</source>
        <translation>按层与角色配对了 {0} 个张量</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="335"/>
        <source>{0} tensors matched by layer and role</source>
        <translation>按层与角色配对了 {0} 个张量</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="347"/>
        <source>Unmatched:</source>
        <translation>未配对：</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="399"/>
        <source>{0} (A) and {1} (B)</source>
        <translation>{0}（A）和 {1}（B）</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="409"/>
        <source>Weights only: give a prompt and press Compare again for the tokens.</source>
        <translation>只比较了权重：输入提示并点“重新比较”即可比较词元。</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="420"/>
        <source>KL mean {0} nats, p99 {1}; top-1 agreement {2}; </source>
        <translation>KL 平均 {0} 奈特，p99 {1}；首选一致率 {2}；</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="422"/>
        <source>B&apos;s own choice first differs at position {0}</source>
        <translation>B 自己的选择在第 {0} 个位置首次不同</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="423"/>
        <source>B chooses the same</source>
        <translation>B 的选择完全相同</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="424"/>
        <source>{0} {1} tokens/s</source>
        <translation>{0} 每秒 {1} 个词元</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="434"/>
        <source>position {0}, B: {1}</source>
        <translation>第 {0} 个位置，B：{1}</translation>
    </message>
    <message>
        <location filename="../compare_view.py" line="437"/>
        <source>Shaded: where B&apos;s top token differs from A&apos;s.</source>
        <translation>底色标出：B 的首选词元与 A 不同的位置。</translation>
    </message>
    <message>
        <location filename="../variants_page.py" line="77"/>
        <source> (reference)</source>
        <translation>（参考）</translation>
    </message>
</context>
<context>
    <name>CostChart</name>
    <message>
        <location filename="../cost_view.py" line="46"/>
        <source>tokens of context</source>
        <translation>上下文词元数</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="51"/>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="51"/>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="51"/>
        <source>runtime</source>
        <translation>运行时</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="95"/>
        <source>TB</source>
        <translation>TB</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="95"/>
        <source>GB</source>
        <translation>GB</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="96"/>
        <source>MB</source>
        <translation>MB</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="99"/>
        <source>Memory by context ({0})</source>
        <translation>各上下文长度的内存（{0}）</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="141"/>
        <source>{0} (above this chart)</source>
        <translation>{0}（超出图表）</translation>
    </message>
</context>
<context>
    <name>CostView</name>
    <message>
        <location filename="../cost_view.py" line="236"/>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="241"/>
        <source>Plan for</source>
        <translation>估算设备</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="246"/>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="250"/>
        <source>Batch</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="251"/>
        <location filename="../cost_view.py" line="454"/>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="369"/>
        <source>as exported ({0})</source>
        <translation>按导出（{0}）</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="374"/>
        <source>This machine&apos;s RAM</source>
        <translation>本机内存</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="408"/>
        <location filename="../cost_view.py" line="415"/>
        <source>Planning…</source>
        <translation>正在估算…</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="412"/>
        <source>Open a model to see what running it needs.</source>
        <translation>打开一个模型，查看运行它需要什么。</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="426"/>
        <source>GPU memory {0}</source>
        <translation>显存 {0}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="427"/>
        <source>free {0}</source>
        <translation>空闲 {0}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="429"/>
        <source>RAM {0}</source>
        <translation>内存 {0}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="430"/>
        <source>available {0}</source>
        <translation>可用 {0}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="448"/>
        <source>At {0} tokens of context, batch {1}</source>
        <translation>上下文 {0} 个词元，批大小 {1}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="453"/>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="453"/>
        <source>stored as {0}</source>
        <translation>以 {0} 存储</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="454"/>
        <source>{0} a token, {1}</source>
        <translation>每个词元 {0}，{1}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="455"/>
        <source>Runtime</source>
        <translation>运行时</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="455"/>
        <source>process {0}, session {1}, activations {2}</source>
        <translation>进程 {0}，会话 {1}，激活 {2}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="458"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="467"/>
        <source>Fits:</source>
        <translation>放得下：</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="467"/>
        <source>Does not fit:</source>
        <translation>放不下：</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="470"/>
        <source>needs {0} on {1}, {2} free</source>
        <translation>在 {1} 上需要 {0}，空闲 {2}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="472"/>
        <source>needs {0} of RAM, {1} available</source>
        <translation>需要 {0} 内存，可用 {1}</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="475"/>
        <source>Mixture of experts: all {0} experts are resident ({1}); a token reads {2} of them, so a step reads {3}.</source>
        <translation>混合专家：全部 {0} 个专家都常驻内存（{1}）；每个词元只读其中 {2} 个，所以每一步读取 {3}。</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="484"/>
        <source>onnxruntime&apos;s CPU kernels hold fp16 weights as fp32 copies (about {0}× the stored bytes): the runtime above counts them.</source>
        <translation>onnxruntime 的 CPU 内核把 fp16 权重另存为 fp32 副本（约为存储字节的 {0} 倍）：上面的运行时已计入。</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="489"/>
        <source>Planned for the whole context read at once (a prompt that long), from the model&apos;s counts and a runtime fitted to onnxruntime on real runs; nothing is loaded to plan it.</source>
        <translation>按一次读入整个上下文（同样长的提示）来估算，依据模型的参数统计和用 onnxruntime 实际运行拟合出的运行时模型；估算时不加载任何东西。</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="495"/>
        <source>Decode speed: no bound (the memory bandwidth is not known).</source>
        <translation>解码速度：没有上限（内存带宽未知）。</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="496"/>
        <source>measured here</source>
        <translation>本机实测</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="496"/>
        <source>published</source>
        <translation>厂商公布</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="497"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="498"/>
        <source>Decode speed: at most {0} tokens/s</source>
        <translation>解码速度：最多 {0} 词元/秒</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="499"/>
        <source>A bound, not a forecast: each step reads {0} (the weights a token touches and its KV cache) at {1} GB/s ({2}); real runs reach a fraction of it.</source>
        <translation>这是上限，不是预测：每一步以 {1} GB/s（{2}）读取 {0}（一个词元用到的权重和它的 KV 缓存）；实际运行只能达到其中一部分。</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="507"/>
        <source>No run yet: a run in Generate puts its measured speed and peak memory here, beside the plan.</source>
        <translation>还没有运行：在“生成”里运行一次，实测速度和峰值内存会显示在这里，与估算并列。</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="510"/>
        <source>Last run ({0} tokens of context, {1}):</source>
        <translation>上次运行（{0} 个词元的上下文，{1}）：</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="513"/>
        <source>measured {0} tokens/s</source>
        <translation>实测 {0} 词元/秒</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="515"/>
        <source>bound {0} ({1} of it)</source>
        <translation>上限 {0}（达到 {1}）</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="518"/>
        <source>peak RSS {0} (the whole app, its window and plots too)</source>
        <translation>峰值 RSS {0}（整个应用，含窗口和图表）</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="521"/>
        <source>planned {0} for a command-line run of it ({1} of that the process itself)</source>
        <translation>命令行运行估算 {0}（其中进程本身 {1}）</translation>
    </message>
</context>
<context>
    <name>DiagramPanel</name>
    <message>
        <location filename="../model_diagram.py" line="236"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
    <message>
        <location filename="../model_diagram.py" line="251"/>
        <source>&lt;b&gt;The model as blocks&lt;/b&gt;</source>
        <translation>&lt;b&gt;模型结构图&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../model_diagram.py" line="253"/>
        <source>numbers of</source>
        <translation>数字取自</translation>
    </message>
</context>
<context>
    <name>DriftChart</name>
    <message>
        <location filename="../drift_chart.py" line="23"/>
        <source>what the embeddings add</source>
        <translation>嵌入带来的偏离</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="24"/>
        <source>what the attention adds</source>
        <translation>注意力加上的偏离</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="25"/>
        <source>what the MLP adds</source>
        <translation>MLP 加上的偏离</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="26"/>
        <source>what the block adds</source>
        <translation>整块加上的偏离</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="33"/>
        <source>the embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="35"/>
        <source>block {0}, after the attention</source>
        <translation>第 {0} 块，注意力之后</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="37"/>
        <source>block {0}, after the MLP</source>
        <translation>第 {0} 块，MLP 之后</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="38"/>
        <location filename="../drift_chart.py" line="60"/>
        <location filename="../drift_chart.py" line="169"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="44"/>
        <source>emb.</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="46"/>
        <source>{0} attn</source>
        <translation>{0} 注意力</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="48"/>
        <source>{0} MLP</source>
        <translation>{0} MLP</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="57"/>
        <source>embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="59"/>
        <source>LM head</source>
        <translation>语言模型头</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="118"/>
        <source>largest step</source>
        <translation>最大的一步</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="156"/>
        <source>the stream&apos;s drift after each sum</source>
        <translation>每次相加之后残差流的偏离</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="162"/>
        <source>Drift per block: give a prompt and press Compare again.</source>
        <translation>每块的偏离：请给出提示词并点击“再次比较”。</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="165"/>
        <source>Mean over {0} positions; grows most at: {1}.</source>
        <translation>{0} 个位置上的平均值；增长最多处：{1}。</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="167"/>
        <source>Mean over {0} positions: B&apos;s stream is A&apos;s all through.</source>
        <translation>{0} 个位置上的平均值：B 的残差流自始至终与 A 相同。</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="170"/>
        <source>Blocks by growth: {0}.</source>
        <translation>按增长排序的块：{0}。</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="181"/>
        <source>{0}: drift {1}</source>
        <translation>{0}：偏离 {1}</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="185"/>
        <source>{0}: drift {1}, this step adds {2} (the block ranks {3} by growth)</source>
        <translation>{0}：偏离 {1}，这一步加上 {2}（该块按增长排第 {3}）</translation>
    </message>
    <message>
        <location filename="../drift_chart.py" line="187"/>
        <source>{0}: drift {1}, this step adds {2}</source>
        <translation>{0}：偏离 {1}，这一步加上 {2}</translation>
    </message>
</context>
<context>
    <name>ExpertLoad</name>
    <message>
        <location filename="../expert_load.py" line="122"/>
        <source>&lt;b&gt;Expert load&lt;/b&gt; over the run</source>
        <translation>&lt;b&gt;专家负载&lt;/b&gt;（整次运行）</translation>
    </message>
    <message>
        <location filename="../expert_load.py" line="123"/>
        <source>How many times each expert was chosen: a row per MoE block, a column per expert; darker is more often, crossed out: not in this file</source>
        <translation>每个专家被选中的次数：每个 MoE 块一行，每个专家一列；颜色越深次数越多，打叉的专家不在此文件中</translation>
    </message>
    <message>
        <location filename="../expert_load.py" line="165"/>
        <source>No step yet: the load fills in as the model runs.</source>
        <translation>还没有步骤：模型运行时负载会逐步填入。</translation>
    </message>
    <message>
        <location filename="../expert_load.py" line="168"/>
        <source>Every expert in the file was chosen at least once in {0} steps.</source>
        <translation>在 {0} 步中，文件里的每个专家都至少被选中一次。</translation>
    </message>
    <message>
        <location filename="../expert_load.py" line="169"/>
        <source>block {0}: {1}</source>
        <translation>第 {0} 块：{1}</translation>
    </message>
    <message>
        <location filename="../expert_load.py" line="170"/>
        <source>Never chosen in {0} steps — {1}</source>
        <translation>{0} 步中从未被选中 — {1}</translation>
    </message>
</context>
<context>
    <name>FitDialog</name>
    <message>
        <location filename="../fit_dialog.py" line="27"/>
        <source>Not enough memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="35"/>
        <source>These {0} models held at once need {1} of memory at {2} tokens of context, and {3} is available.</source>
        <translation>同时载入这 {0} 个模型，在 {2} 个词元的上下文下需要 {1} 内存，而可用的只有 {3}。</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="38"/>
        <source>This model needs {0} of memory at {1} tokens of context, and {2} is available.</source>
        <translation>这个模型在 {1} 个词元的上下文下需要 {0} 内存，而可用的只有 {2}。</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="41"/>
        <source>This model needs {0} of GPU memory on {1} at {2} tokens of context, and {3} is free.</source>
        <translation>这个模型在 {2} 个词元的上下文下需要 {1} 上的 {0} 显存，而空闲的只有 {3}。</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="47"/>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="47"/>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="48"/>
        <source>Runtime</source>
        <translation>运行时</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="55"/>
        <source>What would fit:</source>
        <translation>这样可以放得下：</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="59"/>
        <source>Compare them one at a time with less text, or on a machine with more memory.</source>
        <translation>用更短的文本逐个比较，或换一台内存更大的机器。</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="62"/>
        <source>Running it anyway may make this machine swap for minutes, or the system may end the app and what is open in it.</source>
        <translation>仍然运行可能让这台机器交换内存好几分钟，系统也可能结束本应用以及其中打开的内容。</translation>
    </message>
    <message>
        <location filename="../fit_dialog.py" line="66"/>
        <source>Run Anyway</source>
        <translation>仍然运行</translation>
    </message>
</context>
<context>
    <name>GenerateView</name>
    <message>
        <location filename="../generate_view.py" line="114"/>
        <source>This Run</source>
        <translation>本次运行</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="122"/>
        <source>Switched Off ({0})</source>
        <translation>已关闭（{0}）</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="123"/>
        <source>Switched Off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="203"/>
        <source>running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="209"/>
        <source>{0} token on {1}</source>
        <translation>在 {1} 上生成 {0} 个词元</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="209"/>
        <source>{0} tokens on {1}</source>
        <translation>在 {1} 上生成 {0} 个词元</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="210"/>
        <source>, finished: {0}</source>
        <translation>，结束原因：{0}</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="211"/>
        <source>, paused</source>
        <translation>，已暂停</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="214"/>
        <source>time to first token {0} ms</source>
        <translation>首个词元用时 {0} 毫秒</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="216"/>
        <source>{0} tokens/s</source>
        <translation>每秒 {0} 个词元</translation>
    </message>
    <message>
        <location filename="../generate_view.py" line="218"/>
        <source>settings changed from step {0}</source>
        <translation>设置自第 {0} 步起更改</translation>
    </message>
</context>
<context>
    <name>GenerationSettings</name>
    <message>
        <location filename="../generate_settings.py" line="31"/>
        <source>greedy</source>
        <translation>贪心</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="33"/>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="35"/>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="38"/>
        <source>stop at the end-of-text token</source>
        <translation>遇到文本结束词元时停止</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="39"/>
        <source>read the inside (attention, logit lens)</source>
        <translation>读取内部（注意力、logit 透镜）</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="40"/>
        <source>Steps also read where each token looked and what each block would have said; they run a probed copy of the model, a little slower. See the Inside tab.</source>
        <translation>每一步同时读取各词元关注了哪里、每一块会说出什么；这会运行一个加了探针的模型副本，稍慢一些。见“内部”标签页。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="48"/>
        <source>no NVIDIA GPU found</source>
        <translation>未找到 NVIDIA GPU</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="61"/>
        <source>Always take the most probable token (the same text every time). Off: draw from the distribution shaped by the settings below.</source>
        <translation>总是取概率最高的词元（每次文本相同）。关闭：按下面的设置从分布中抽样。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="63"/>
        <source>Divides the logits before the softmax: below 1 sharpens the distribution, above 1 flattens it.</source>
        <translation>在 softmax 之前除以 logits：小于 1 使分布更尖锐，大于 1 使分布更平坦。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="65"/>
        <source>Draw only from the k most probable tokens (off: all of them).</source>
        <translation>只从概率最高的 k 个词元中抽样（关：全部）。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="66"/>
        <source>Draw only from the most probable tokens whose probabilities add up to p (nucleus sampling; 1: all of them).</source>
        <translation>只从累计概率达到 p 的最可能词元中抽样（核采样；1：全部）。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="68"/>
        <source>The random generator&apos;s seed: the same seed gives the same text (random: a new one each run).</source>
        <translation>随机数种子：相同的种子给出相同的文本（随机：每次运行换一个）。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="70"/>
        <location filename="../generate_settings.py" line="202"/>
        <source>The run ends after this many new tokens.</source>
        <translation>生成这么多新词元后结束。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="71"/>
        <source>How many of the most probable tokens each step lists.</source>
        <translation>每一步列出多少个最可能的词元。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="72"/>
        <source>End the run when the model chooses its end-of-text token.</source>
        <translation>模型选中文本结束词元时结束运行。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="73"/>
        <location filename="../generate_settings.py" line="194"/>
        <source>Where onnxruntime runs the model: auto takes the GPU when there is one.</source>
        <translation>onnxruntime 在哪里运行模型：自动——有 GPU 时用 GPU。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="78"/>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="79"/>
        <source>top-k</source>
        <translation>top-k</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="80"/>
        <source>top-p</source>
        <translation>top-p</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="81"/>
        <source>seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="82"/>
        <source>max new tokens</source>
        <translation>最多新词元</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="83"/>
        <source>candidates shown</source>
        <translation>显示的候选数</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="86"/>
        <source>provider</source>
        <translation>执行设备</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="88"/>
        <location filename="../generate_settings.py" line="182"/>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="89"/>
        <location filename="../generate_settings.py" line="185"/>
        <source>Generate one token (F10)</source>
        <translation>生成一个词元（F10）</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="91"/>
        <location filename="../generate_settings.py" line="183"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="92"/>
        <location filename="../generate_settings.py" line="186"/>
        <source>Generate until the run ends (F5)</source>
        <translation>一直生成到运行结束（F5）</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="94"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="95"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="96"/>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="117"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="182"/>
        <source>Step (new run)</source>
        <translation>单步（新运行）</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="183"/>
        <source>Run (new run)</source>
        <translation>运行（新运行）</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="184"/>
        <source>The run has finished: this clears it and starts again from the prompt</source>
        <translation>运行已结束：这会清除它并从提示重新开始</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="193"/>
        <source>A run keeps where it runs: Reset it to choose another provider.</source>
        <translation>一次运行保持在原来的执行设备上：重置后才能选择其他执行设备。</translation>
    </message>
    <message>
        <location filename="../generate_settings.py" line="200"/>
        <source>The run ends after this many new tokens; a paused run continues to the new limit (it has {0} already).</source>
        <translation>生成这么多个新词元后结束；暂停的运行会继续到新的上限（它已有 {0} 个）。</translation>
    </message>
</context>
<context>
    <name>GpuTable</name>
    <message>
        <location filename="../cost_view.py" line="156"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="156"/>
        <source>Memory</source>
        <translation>显存</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="156"/>
        <source>Bandwidth</source>
        <translation>带宽</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="156"/>
        <source>Needs</source>
        <translation>需要</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="157"/>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="157"/>
        <source>Tokens/s bound</source>
        <translation>词元/秒上限</translation>
    </message>
    <message>
        <location filename="../cost_view.py" line="176"/>
        <source>{0} (int4: {1})</source>
        <translation>{0}（int4：{1}）</translation>
    </message>
</context>
<context>
    <name>GraphView</name>
    <message>
        <location filename="../graph_view.py" line="130"/>
        <source>search op type, node, input, output, shape or parameter…</source>
        <translation>搜索算子类型、节点、输入、输出、形状或参数…</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="145"/>
        <source>Select a node to see all its inputs, outputs and parameters.</source>
        <translation>选择一个节点，查看它的全部输入、输出和参数。</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="191"/>
        <location filename="../graph_view.py" line="201"/>
        <source>{0} node</source>
        <translation>{0} 个节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="191"/>
        <location filename="../graph_view.py" line="201"/>
        <source>{0} nodes</source>
        <translation>{0} 个节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="200"/>
        <source>{1} of {0} node</source>
        <translation>{1} / {0} 个节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="200"/>
        <source>{1} of {0} nodes</source>
        <translation>{1} / {0} 个节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="202"/>
        <source>No node matches “{0}”.</source>
        <translation>没有节点匹配“{0}”。</translation>
    </message>
</context>
<context>
    <name>HeadsMap</name>
    <message>
        <location filename="../heads_panel.py" line="117"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
</context>
<context>
    <name>HeadsPanel</name>
    <message>
        <location filename="../heads_panel.py" line="25"/>
        <source>block</source>
        <translation>块</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="26"/>
        <source>head</source>
        <translation>头</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="27"/>
        <source>role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="28"/>
        <source>prev.</source>
        <translation>前一个</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="29"/>
        <source>ind.</source>
        <translation>归纳</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="30"/>
        <source>first</source>
        <translation>首个</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="31"/>
        <source>loss rise</source>
        <translation>损失上升</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="34"/>
        <source>Previous-token score: the mean attention on the position before</source>
        <translation>前一词元得分：对前一个位置的平均注意力</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="35"/>
        <source>Induction score: the mean attention on the token after the current one&apos;s earlier occurrence</source>
        <translation>归纳得分：对当前词元上一次出现之后那个词元的平均注意力</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="37"/>
        <source>First-token score: the mean attention on position 0</source>
        <translation>首词元得分：对位置 0 的平均注意力</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="38"/>
        <source>How much the loss on the repeated half rises (nats per token) with this head switched off alone</source>
        <translation>只关闭这个头时，重复那一半上的损失上升多少（每个词元，奈特）</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="157"/>
        <source>Read Heads</source>
        <translation>读取注意力头</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="158"/>
        <source>Score every head on random tokens repeated twice, then switch each off in turn and measure how much the loss on the repeated half rises</source>
        <translation>在重复两遍的随机词元上给每个头打分，再逐个关闭，测量重复那一半上的损失上升多少</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="161"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="164"/>
        <source>Random tokens in each half of the probe</source>
        <translation>探针每一半中的随机词元数</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="166"/>
        <source>The seed the random tokens are drawn with</source>
        <translation>抽取随机词元所用的种子</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="173"/>
        <source>tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="175"/>
        <source>seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="236"/>
        <source>(the number: the loss rise with the head switched off, nats)</source>
        <translation>（数字：关闭该头后的损失上升，奈特）</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="250"/>
        <source>starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="284"/>
        <source>Read Heads scores every head as previous-token (looks at the position before), induction (looks at the token after the current one&apos;s earlier occurrence) or first-token, on random tokens repeated twice, and measures what the model loses without it.</source>
        <translation>“读取注意力头”在重复两遍的随机词元上，把每个头判为前一词元头（看前一个位置）、归纳头（看当前词元上一次出现之后的词元）或首词元头，并测量没有它时模型损失多少。</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="325"/>
        <source>No head takes a role in this model: the strongest score is {0} {1} (block {2}, head {3}), below {4}.</source>
        <translation>这个模型中没有哪个头取得角色：最高的得分是{0} {1}（第 {2} 块，头 {3}），低于 {4}。</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="333"/>
        <source>no attention weights to score</source>
        <translation>没有可打分的注意力权重</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="334"/>
        <source>loss rise {0} nats</source>
        <translation>损失上升 {0} 奈特</translation>
    </message>
    <message>
        <location filename="../heads_panel.py" line="335"/>
        <source>&lt;b&gt;block {0}, head {1}&lt;/b&gt;: {2} — {3}; {4}</source>
        <translation>&lt;b&gt;第 {0} 块，头 {1}&lt;/b&gt;：{2} — {3}；{4}</translation>
    </message>
</context>
<context>
    <name>InsideView</name>
    <message>
        <location filename="../inside_view.py" line="31"/>
        <source>Tick &lt;b&gt;read the inside&lt;/b&gt; in Generate, then Step or Run: every step then shows where it looked (attention) and what each block would have said (the logit lens).</source>
        <translation>在“生成”中勾选&lt;b&gt;读取内部&lt;/b&gt;，然后单步或运行：每一步都会显示它关注了哪里（注意力）以及每一块会说出什么（logit 透镜）。</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="55"/>
        <source>step </source>
        <translation>第 </translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="56"/>
        <source>The step on show: step 1 chose the first generated token</source>
        <translation>正在显示的步：第 1 步选出第一个生成的词元</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="77"/>
        <source>Turn it on</source>
        <translation>打开它</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="140"/>
        <source>shade by</source>
        <translation>着色依据</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="103"/>
        <source>&lt;b&gt;Where it looked&lt;/b&gt; — the context shaded by attention (darkest: the most attended position)</source>
        <translation>&lt;b&gt;它关注了哪里&lt;/b&gt;——按注意力给上下文着色（最深：最受关注的位置）</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="110"/>
        <source>Every block × head over the context (√weight; click one to shade by it)</source>
        <translation>每一块 × 每一头在上下文上的注意力（√权重；点击一个格子按它着色）</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="115"/>
        <source>&lt;b&gt;What each block would have said&lt;/b&gt; — the logit lens</source>
        <translation>&lt;b&gt;每一块会说出什么&lt;/b&gt;——logit 透镜</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="161"/>
        <source>This Step</source>
        <translation>本步</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="162"/>
        <source>What Each Head Does</source>
        <translation>每个头的作用</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="257"/>
        <source>chose &lt;b&gt;{0}&lt;/b&gt; with p = {1}</source>
        <translation>选中 &lt;b&gt;{0}&lt;/b&gt;，p = {1}</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="259"/>
        <source> — your choice; the model had chosen &lt;b&gt;{0}&lt;/b&gt;</source>
        <translation> —— 你的选择；模型选的是 &lt;b&gt;{0}&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="308"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="309"/>
        <location filename="../inside_view.py" line="345"/>
        <source>mean of heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="311"/>
        <location filename="../inside_view.py" line="346"/>
        <source>head {0}</source>
        <translation>第 {0} 头</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="345"/>
        <source>block {0}, {1}</source>
        <translation>第 {0} 块，{1}</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="347"/>
        <source>{0} looked most at: </source>
        <translation>{0}最关注：</translation>
    </message>
    <message>
        <location filename="../inside_view.py" line="369"/>
        <source>No step yet: run the model in Generate.</source>
        <translation>还没有步骤：请在“生成”中运行模型。</translation>
    </message>
</context>
<context>
    <name>LayersView</name>
    <message>
        <location filename="../layers_view.py" line="23"/>
        <location filename="../layers_view.py" line="89"/>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="23"/>
        <location filename="../layers_view.py" line="89"/>
        <source>biases</source>
        <translation>偏置</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="24"/>
        <source>share</source>
        <translation>占比</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="24"/>
        <source>bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="26"/>
        <source>abs max</source>
        <translation>绝对值最大</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="89"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="91"/>
        <source>Which of a layer&apos;s parameters the histogram shows (a single tensor always shows its own values)</source>
        <translation>直方图显示层的哪些参数（单个张量总是显示它自己的值）</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="94"/>
        <source>log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="123"/>
        <location filename="../layers_view.py" line="385"/>
        <source>value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="124"/>
        <source>block</source>
        <translation>块</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="127"/>
        <source>share of the row&apos;s peak (log counts)</source>
        <translation>占该行峰值的比例（对数计数）</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="131"/>
        <source>show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="146"/>
        <source>compare all blocks:</source>
        <translation>比较所有块：</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="152"/>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="153"/>
        <source>All blocks</source>
        <translation>所有块</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="217"/>
        <location filename="../layers_view.py" line="274"/>
        <source> (tied)</source>
        <translation>（共享）</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="253"/>
        <source>all weights (per block)</source>
        <translation>全部权重（按块）</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="254"/>
        <source>all biases (per block)</source>
        <translation>全部偏置（按块）</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="360"/>
        <source>reading the values…</source>
        <translation>正在读取数值…</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="370"/>
        <source>{0} has no {1}</source>
        <translation>{0} 没有{1}</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="375"/>
        <source> — tied to {0}, counted there</source>
        <translation>——与 {0} 绑定，计入那里</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="384"/>
        <location filename="../layers_view.py" line="401"/>
        <source>count</source>
        <translation>个数</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="400"/>
        <source>no statistics for this selection</source>
        <translation>所选内容没有统计数据</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="25"/>
        <location filename="../layers_view.py" line="401"/>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="20"/>
        <source>layer / tensor</source>
        <translation>层 / 张量</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="20"/>
        <source>role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="21"/>
        <source>kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="21"/>
        <source>shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="22"/>
        <source>stored as</source>
        <translation>存储格式</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="22"/>
        <source>parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="25"/>
        <location filename="../layers_view.py" line="401"/>
        <source>std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="282"/>
        <source>tied to {0}, counted there</source>
        <translation>与 {0} 共享，计在那里</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="401"/>
        <source>min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="402"/>
        <source>max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="26"/>
        <location filename="../layers_view.py" line="402"/>
        <source>zeros</source>
        <translation>零值</translation>
    </message>
    <message>
        <location filename="../layers_view.py" line="453"/>
        <source>distribution per block (log counts, each row scaled to its peak)</source>
        <translation>每块的分布（对数计数，每行按自身峰值缩放）</translation>
    </message>
</context>
<context>
    <name>LensTable</name>
    <message>
        <location filename="../lens_table.py" line="33"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
    <message>
        <location filename="../lens_table.py" line="33"/>
        <source> (output)</source>
        <translation>（输出）</translation>
    </message>
    <message>
        <location filename="../lens_table.py" line="57"/>
        <source>id {0}: p = {1} after block {2}</source>
        <translation>编号 {0}：第 {2} 块之后 p = {1}</translation>
    </message>
    <message>
        <location filename="../lens_table.py" line="58"/>
        <source> — the chosen token&apos;s first appearance</source>
        <translation>——被选词元首次出现</translation>
    </message>
</context>
<context>
    <name>LoadMap</name>
    <message>
        <location filename="../expert_load.py" line="108"/>
        <source>block {0}, expert {1}: not in this file (the export lost it)</source>
        <translation>第 {0} 块，专家 {1}：不在此文件中（导出时丢失）</translation>
    </message>
    <message>
        <location filename="../expert_load.py" line="109"/>
        <source>block {0}, expert {1}: chosen at {2} of {3} steps</source>
        <translation>第 {0} 块，专家 {1}：在 {3} 步中被选中 {2} 次</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../tabs.py" line="29"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location filename="../tabs.py" line="30"/>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../tabs.py" line="31"/>
        <source>Graph</source>
        <translation>计算图</translation>
    </message>
    <message>
        <location filename="../tabs.py" line="32"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../tabs.py" line="33"/>
        <source>Inside</source>
        <translation>内部</translation>
    </message>
    <message>
        <location filename="../tabs.py" line="34"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location filename="../tabs.py" line="35"/>
        <source>Cost</source>
        <translation>成本</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="100"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="201"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="202"/>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="203"/>
        <source>Open Export &amp;Folder…</source>
        <translation>打开导出文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="204"/>
        <source>Open &amp;Variant</source>
        <translation>打开变体(&amp;V)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="206"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="208"/>
        <source>Reopen Last Model at Start</source>
        <translation>启动时重新打开上次的模型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="213"/>
        <source>&amp;Compare With…</source>
        <translation>与…比较(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="219"/>
        <source>&amp;Export Report…</source>
        <translation>导出报告(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="222"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="223"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="227"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="248"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="249"/>
        <source>System ({0})</source>
        <translation>跟随系统（{0}）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="237"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="214"/>
        <source>Compare &amp;All Variants</source>
        <translation>比较所有变体(&amp;A)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="238"/>
        <source>Quick &amp;Guide</source>
        <translation>快速指南(&amp;G)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="239"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="241"/>
        <source>&amp;About GPT Inspector</source>
        <translation>关于 GPT Inspector(&amp;A)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="12"/>
        <source>Quick Guide</source>
        <translation>快速指南</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="13"/>
        <source>&lt;h3&gt;GPT Inspector in five steps&lt;/h3&gt;&lt;ol&gt;&lt;li&gt;&lt;b&gt;Open&lt;/b&gt; a model: File → Open (a .onnx file), File → Open Export Folder (a Hugging Face, transformers.js or onnxruntime-genai folder), or drop either on the window.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Overview&lt;/b&gt;: the architecture, the exact count of weights and biases, what they would take in memory, and how this model compares in size with well-known ones.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Layers&lt;/b&gt;: every layer and tensor, sortable; pick one for its histogram and statistics, or compare all blocks. &lt;b&gt;Graph&lt;/b&gt;: the nodes each tensor was found through.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Generate&lt;/b&gt;: type a prompt, then Step (F10) one token at a time or Run (F5); click a token for the candidates it was chosen from, and double-click another candidate to continue the run from there with it. Tick “read the inside” and the &lt;b&gt;Inside&lt;/b&gt; tab shows where each token looked and what each block would have said; right-click a head or a box there to switch it off and see what changes, and “What Each Head Does” reads every head&apos;s role.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Compare&lt;/b&gt; two models or every file of a folder (where the output drifts block by block, and which file to take; double-click a file for its own comparison); &lt;b&gt;Cost&lt;/b&gt; shows the memory and speed a context needs here and on common GPUs; &lt;b&gt;File → Export Report&lt;/b&gt; (Ctrl+E) keeps it all as HTML, PDF, Markdown or JSON.&lt;/li&gt;&lt;/ol&gt;</source>
        <translation>&lt;h3&gt;五步上手 GPT Inspector&lt;/h3&gt;&lt;ol&gt;&lt;li&gt;&lt;b&gt;打开&lt;/b&gt;模型：文件 → 打开（一个 .onnx 文件），文件 → 打开导出文件夹（Hugging Face、transformers.js 或 onnxruntime-genai 的文件夹），或者把它们拖到窗口上。&lt;/li&gt;&lt;li&gt;&lt;b&gt;概览&lt;/b&gt;：架构、权重与偏置的精确数量、它们在内存中占多少，以及这个模型与知名模型的大小对比。&lt;/li&gt;&lt;li&gt;&lt;b&gt;层&lt;/b&gt;：每一层、每个张量，可排序；选中一个查看它的直方图和统计，或比较所有块。&lt;b&gt;计算图&lt;/b&gt;：每个张量是经由哪些节点找到的。&lt;/li&gt;&lt;li&gt;&lt;b&gt;生成&lt;/b&gt;：输入提示，然后单步（F10）一次生成一个词元，或运行（F5）；点击一个词元查看它是从哪些候选中选出的，双击另一个候选可让运行从那里改用它继续。勾选“读取内部”，&lt;b&gt;内部&lt;/b&gt;标签页会显示每个词元关注了哪里、每一块会说出什么；在那里右键点击一个头或一个方框可以关闭它、看看有什么变化，“每个头的作用”会读出每个头的角色。&lt;/li&gt;&lt;li&gt;&lt;b&gt;比较&lt;/b&gt;两个模型或一个文件夹中的所有文件（输出逐块在哪里偏离、该选哪个文件；双击一个文件查看它自己的比较）；&lt;b&gt;成本&lt;/b&gt;显示一个上下文在本机和常见 GPU 上需要的内存和速度；&lt;b&gt;文件 → 导出报告&lt;/b&gt;（Ctrl+E）把这一切保存为 HTML、PDF、Markdown 或 JSON。&lt;/li&gt;&lt;/ol&gt;</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="32"/>
        <source>Open a model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="32"/>
        <source>Show a tab</source>
        <translation>切换标签页</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="33"/>
        <source>Generate one token (Step)</source>
        <translation>生成一个词元（单步）</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="34"/>
        <source>Generate until the run ends (Run)</source>
        <translation>一直生成到运行结束（运行）</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="35"/>
        <source>Export a report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="36"/>
        <source>Compare with another model</source>
        <translation>与另一个模型比较</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="37"/>
        <source>Move between controls</source>
        <translation>在控件之间移动</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="37"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="39"/>
        <source>&lt;b&gt;GPT Inspector {version}&lt;/b&gt;&lt;p&gt;What the parameters of an ONNX GPT are, and what running them costs: an exact census of its weights and biases by block and role, their histograms, and its graph; step-by-step generation with the candidates of every token, branches from any of them, and live latency and memory; what happens inside a step (attention, the logit lens); comparisons of two models or of every variant of a folder; and reports in HTML, PDF, Markdown, JSON and CSV.&lt;/p&gt;</source>
        <translation>&lt;b&gt;GPT Inspector {version}&lt;/b&gt;&lt;p&gt;ONNX GPT 的参数究竟是什么，运行它们要付出什么：按块和角色精确清点权重与偏置，它们的直方图，以及计算图；逐词元生成，列出每个词元的候选，可从任一候选分支，并实时显示延迟和内存；一步之内发生了什么（注意力、logit 透镜）；两个模型或一个文件夹中所有变体的比较；以及 HTML、PDF、Markdown、JSON 和 CSV 格式的报告。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="31"/>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="38"/>
        <source>About GPT Inspector</source>
        <translation>关于 GPT Inspector</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="286"/>
        <source>Clear List</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="46"/>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="46"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="302"/>
        <source>Open an ONNX model</source>
        <translation>打开 ONNX 模型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="306"/>
        <source>Open an export folder</source>
        <translation>打开导出文件夹</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="351"/>
        <source>GPT Inspector — opening {file}…</source>
        <translation>GPT Inspector — 正在打开 {file}…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="354"/>
        <source>opening {file}…</source>
        <translation>正在打开 {file}…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="358"/>
        <source>Opening {file} was cancelled; still showing {shown}.</source>
        <translation>已取消打开 {file}；仍显示 {shown}。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="359"/>
        <source>Opening {file} was cancelled.</source>
        <translation>已取消打开 {file}。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="373"/>
        <source>{count} parameters in {file}</source>
        <translation>{file} 中有 {count} 个参数</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="446"/>
        <source>report written to {path}</source>
        <translation>报告已写入 {path}</translation>
    </message>
</context>
<context>
    <name>ModelDiagram</name>
    <message>
        <location filename="../model_diagram.py" line="108"/>
        <source>Open a model to see it drawn as blocks.</source>
        <translation>打开一个模型，就能看到它的结构图。</translation>
    </message>
    <message>
        <location filename="../model_diagram.py" line="195"/>
        <source>{0} weights, {1} biases</source>
        <translation>{0} 个权重，{1} 个偏置</translation>
    </message>
    <message>
        <location filename="../model_diagram.py" line="201"/>
        <source>click: {0} in Layers</source>
        <translation>点击：在“层”中查看 {0}</translation>
    </message>
</context>
<context>
    <name>NodeListing</name>
    <message>
        <location filename="../graph_view.py" line="19"/>
        <source>node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="19"/>
        <source>op</source>
        <translation>算子</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="20"/>
        <source>inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="20"/>
        <source>outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="21"/>
        <source>input shapes</source>
        <translation>输入形状</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="21"/>
        <source>parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="119"/>
        <source>{1} of {0} node</source>
        <translation>{1} / {0} 个节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="119"/>
        <source>{1} of {0} nodes</source>
        <translation>{1} / {0} 个节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="120"/>
        <source>{0} node</source>
        <translation>{0} 个节点</translation>
    </message>
    <message>
        <location filename="../graph_view.py" line="120"/>
        <source>{0} nodes</source>
        <translation>{0} 个节点</translation>
    </message>
</context>
<context>
    <name>OverviewView</name>
    <message>
        <location filename="../overview_view.py" line="135"/>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="135"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="135"/>
        <source>Scale</source>
        <translation>规模</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="138"/>
        <source>weights per layer</source>
        <translation>每层的权重</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="140"/>
        <source>biases per layer</source>
        <translation>每层的偏置</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="147"/>
        <source>no biases: every layer of this model is bias-free</source>
        <translation>没有偏置：这个模型的每一层都不带偏置</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="171"/>
        <source>Open a model: File → Open, or drop one on the window.</source>
        <translation>打开模型：文件 → 打开，或把模型拖到窗口上。</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="182"/>
        <source>{0} ({1} KV)</source>
        <translation>{0}（{1} 个 KV）</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="184"/>
        <source>not in the graph</source>
        <translation>计算图中没有</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="185"/>
        <source>{0} (the graph says {1})</source>
        <translation>{0}（计算图为 {1}）</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="191"/>
        <source>{0} (1 of {1} files: File → Open Variant)</source>
        <translation>{0}（{1} 个文件之一：文件 → 打开变体）</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="195"/>
        <source>, named by {0}</source>
        <translation>，由 {0} 命名</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="197"/>
        <location filename="../overview_view.py" line="216"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="197"/>
        <source>family</source>
        <translation>模型族</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="198"/>
        <source>layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="198"/>
        <source>width (d_model)</source>
        <translation>宽度（d_model）</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="198"/>
        <source>heads</source>
        <translation>头数</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="198"/>
        <source>head dim</source>
        <translation>头维度</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="199"/>
        <source>MLP width</source>
        <translation>MLP 宽度</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="199"/>
        <source>vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="199"/>
        <source>context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="200"/>
        <source>LM head</source>
        <translation>语言模型头</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="200"/>
        <source>tied to the embedding</source>
        <translation>与嵌入共享</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="201"/>
        <source>its own matrix</source>
        <translation>独立矩阵</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="201"/>
        <source>none found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="202"/>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="202"/>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="202"/>
        <source>no (full recompute)</source>
        <translation>无（每步全部重算）</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="203"/>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="203"/>
        <source>one fused {0} node per block</source>
        <translation>每块一个融合的 {0} 节点</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="203"/>
        <source>unfused ops</source>
        <translation>未融合的算子</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="204"/>
        <source>dtypes</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="213"/>
        <source>parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="214"/>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="215"/>
        <source>biases</source>
        <translation>偏置</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="216"/>
        <source> + {0} external</source>
        <translation> + {0} 外部数据</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="218"/>
        <source>stored tensors</source>
        <translation>存储的张量</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="218"/>
        <source>{0} holding parameters</source>
        <translation>{0} 个含参数</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="219"/>
        <source>aliases</source>
        <translation>别名</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="219"/>
        <source>{0} (deduplicated by the exporter)</source>
        <translation>{0}（导出器去重产生）</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="220"/>
        <source>tied copies</source>
        <translation>绑定副本</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="220"/>
        <source>non-parameter constants</source>
        <translation>非参数常量</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="221"/>
        <source>stored as</source>
        <translation>存储格式</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="222"/>
        <source>scales, zero points</source>
        <translation>缩放因子、零点</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="229"/>
        <source>memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="233"/>
        <source>KV cache / token</source>
        <translation>每词元 KV 缓存</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="236"/>
        <source>✓ equals the count</source>
        <translation>✓ 与清点结果相等</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="236"/>
        <source>differs from the count by {0}</source>
        <translation>与清点结果相差 {0}</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="237"/>
        <source>{0} formula</source>
        <translation>{0} 公式</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="239"/>
        <source>where</source>
        <translation>其中</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="244"/>
        <source>{0} ({1} active)</source>
        <translation>{0}（激活 {1}）</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="245"/>
        <source>{0} = {1} this model</source>
        <translation>{0} = 本模型的 {1}</translation>
    </message>
    <message>
        <location filename="../overview_view.py" line="247"/>
        <source>{0}; this model is {1} larger</source>
        <translation>{0}；本模型是它的 {1}</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <location filename="../i18n.py" line="24"/>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../i18n.py" line="25"/>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <location filename="../report_dialog.py" line="34"/>
        <source>Export Report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="54"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="56"/>
        <source>include the generation run on screen</source>
        <translation>包含屏幕上的生成运行</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="61"/>
        <source>include the generation run on screen, its logit lens and the attention of step {0}</source>
        <translation>包含屏幕上的生成运行、它的 logit 透镜以及第 {0} 步的注意力</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="63"/>
        <source>include the generation run on screen, its logit lens and the attention of the first and the last step</source>
        <translation>包含屏幕上的生成运行、它的 logit 透镜以及第一步和最后一步的注意力</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="65"/>
        <source>include the comparison on screen (Compare tab)</source>
        <translation>包含屏幕上的比较（“比较”标签页）</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="68"/>
        <source>include what each head does (Inside tab)</source>
        <translation>包含每个头的作用（“内部”页）</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="75"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="80"/>
        <source>format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="81"/>
        <source>language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="85"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="101"/>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <location filename="../report_dialog.py" line="152"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>RoutingCanvas</name>
    <message>
        <location filename="../routing_strip.py" line="68"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
    <message>
        <location filename="../routing_strip.py" line="156"/>
        <source>step {0}: {1}</source>
        <translation>第 {0} 步：{1}</translation>
    </message>
    <message>
        <location filename="../routing_strip.py" line="160"/>
        <source>expert {0} ({1})</source>
        <translation>专家 {0}（{1}）</translation>
    </message>
    <message>
        <location filename="../routing_strip.py" line="161"/>
        <source>block {0}: {1}</source>
        <translation>第 {0} 块：{1}</translation>
    </message>
    <message>
        <location filename="../routing_strip.py" line="164"/>
        <source>  not in this file: {0} (the token got nothing from it)</source>
        <translation>  不在此文件中：{0}（该词元从它那里什么也没得到）</translation>
    </message>
</context>
<context>
    <name>RoutingStrip</name>
    <message>
        <location filename="../routing_strip.py" line="191"/>
        <source>&lt;b&gt;Experts per token&lt;/b&gt; — each MoE block&apos;s chosen experts, darker: more of the router&apos;s weight</source>
        <translation>&lt;b&gt;每个词元的专家&lt;/b&gt; — 每个 MoE 块选中的专家，颜色越深：路由器给的权重越大</translation>
    </message>
    <message>
        <location filename="../routing_strip.py" line="194"/>
        <source>Hover a token for its experts and their weights; click it to show that step</source>
        <translation>悬停在词元上查看它的专家和权重；点击以显示那一步</translation>
    </message>
</context>
<context>
    <name>RunPlots</name>
    <message>
        <location filename="../run_plots.py" line="26"/>
        <source>latency per token (ms)</source>
        <translation>每个词元的延迟（毫秒）</translation>
    </message>
    <message>
        <location filename="../run_plots.py" line="27"/>
        <source>tokens / s</source>
        <translation>词元 / 秒</translation>
    </message>
    <message>
        <location filename="../run_plots.py" line="28"/>
        <source>process RSS (MB)</source>
        <translation>进程常驻内存（MB）</translation>
    </message>
    <message>
        <location filename="../run_plots.py" line="29"/>
        <source>GPU memory (MB)</source>
        <translation>GPU 显存（MB）</translation>
    </message>
    <message>
        <location filename="../run_plots.py" line="30"/>
        <location filename="../run_plots.py" line="31"/>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <location filename="../run_plots.py" line="83"/>
        <source>TTFT {0} ms</source>
        <translation>首个词元 {0} 毫秒</translation>
    </message>
</context>
<context>
    <name>ScoreboardTable</name>
    <message>
        <location filename="../scoreboard_table.py" line="19"/>
        <source>figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../scoreboard_table.py" line="19"/>
        <source>continuation</source>
        <translation>续写</translation>
    </message>
    <message>
        <location filename="../scoreboard_table.py" line="20"/>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../scoreboard_table.py" line="31"/>
        <source>continuation: A&apos;s greedy continuation, {0} positions</source>
        <translation>续写：A 的贪心续写，{0} 个位置</translation>
    </message>
    <message>
        <location filename="../scoreboard_table.py" line="33"/>
        <source>text: none read</source>
        <translation>文本：未读取</translation>
    </message>
    <message>
        <location filename="../scoreboard_table.py" line="35"/>
        <source>the bundled sample</source>
        <translation>自带的样例文本</translation>
    </message>
    <message>
        <location filename="../scoreboard_table.py" line="36"/>
        <source>text: {0}, {1} tokens in windows of {2} moving by {3}</source>
        <translation>文本：{0}，{1} 个词元，窗口 {2}，每次移动 {3}</translation>
    </message>
    <message>
        <location filename="../scoreboard_table.py" line="81"/>
        <source>No figures: give a prompt and press Compare again.</source>
        <translation>没有指标：请给出提示词并点击“再次比较”。</translation>
    </message>
</context>
<context>
    <name>Stager</name>
    <message>
        <location filename="../staging.py" line="75"/>
        <source>Could not show part of the model</source>
        <translation>无法显示模型的一部分</translation>
    </message>
</context>
<context>
    <name>StepExperts</name>
    <message>
        <location filename="../step_experts.py" line="52"/>
        <source>(not in this file)</source>
        <translation>（不在此文件中）</translation>
    </message>
    <message>
        <location filename="../step_experts.py" line="53"/>
        <source>Experts</source>
        <translation>专家</translation>
    </message>
    <message>
        <location filename="../step_experts.py" line="64"/>
        <source>block {0}</source>
        <translation>第 {0} 块</translation>
    </message>
</context>
<context>
    <name>SwitchOffMenu</name>
    <message>
        <location filename="../switch_off_menu.py" line="12"/>
        <source>still finding where this model&apos;s parts can be switched off</source>
        <translation>仍在查找这个模型的哪些部件可以关闭</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="14"/>
        <source>no model is open</source>
        <translation>没有打开模型</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="51"/>
        <source>Switch off one head</source>
        <translation>关闭一个头</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="58"/>
        <source>Switch off head {1} of block {0}</source>
        <translation>关闭第 {0} 块的头 {1}</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="59"/>
        <source>Switch head {1} of block {0} back on</source>
        <translation>重新打开第 {0} 块的头 {1}</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="61"/>
        <source>Switch off the attention of block {0}</source>
        <translation>关闭第 {0} 块的注意力</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="62"/>
        <source>Switch the attention of block {0} back on</source>
        <translation>重新打开第 {0} 块的注意力</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="63"/>
        <source>Switch off the MLP of block {0}</source>
        <translation>关闭第 {0} 块的 MLP</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="64"/>
        <source>Switch the MLP of block {0} back on</source>
        <translation>重新打开第 {0} 块的 MLP</translation>
    </message>
    <message>
        <location filename="../switch_off_menu.py" line="83"/>
        <source>Switch everything back on ({0} off)</source>
        <translation>全部重新打开（已关闭 {0} 个）</translation>
    </message>
</context>
<context>
    <name>TokenChips</name>
    <message>
        <location filename="../token_chips.py" line="99"/>
        <source>: weight {0}</source>
        <translation>：权重 {0}</translation>
    </message>
    <message>
        <location filename="../token_chips.py" line="100"/>
        <source> (the position that chose the token)</source>
        <translation>（选出该词元的位置）</translation>
    </message>
    <message>
        <location filename="../token_chips.py" line="101"/>
        <source>position {0}, {1}</source>
        <translation>位置 {0}，{1}</translation>
    </message>
</context>
<context>
    <name>TokenOutput</name>
    <message>
        <location filename="../token_output.py" line="24"/>
        <source>Generated text appears here; click a token to see its candidates.</source>
        <translation>生成的文本显示在这里；点击一个词元查看它的候选。</translation>
    </message>
    <message>
        <location filename="../token_output.py" line="62"/>
        <source>Step {0}: your choice; the model had chosen another token</source>
        <translation>第 {0} 步：你的选择；模型选的是另一个词元</translation>
    </message>
</context>
<context>
    <name>VariantDialog</name>
    <message>
        <location filename="../variant_dialog.py" line="19"/>
        <source>Open a model file</source>
        <translation>打开模型文件</translation>
    </message>
    <message>
        <location filename="../variant_dialog.py" line="21"/>
        <source>{0}
holds {1} model files. Which one should be opened?</source>
        <translation>{0}
包含 {1} 个模型文件。要打开哪一个？</translation>
    </message>
    <message>
        <location filename="../variant_dialog.py" line="26"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../variant_dialog.py" line="26"/>
        <source>dtype</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <location filename="../variant_dialog.py" line="26"/>
        <source>size</source>
        <translation>大小</translation>
    </message>
</context>
<context>
    <name>VariantsAdvice</name>
    <message>
        <location filename="../variants_advice.py" line="34"/>
        <source>any size</source>
        <translation>不限大小</translation>
    </message>
    <message>
        <location filename="../variants_advice.py" line="37"/>
        <source>The most the file may take, e.g. 300 kB, 800 MB, 1.5 GB or 4 GiB (MB = 10⁶ bytes); empty: any size. The recommendation follows as you type, from the table already read.</source>
        <translation>文件最多可占的大小，例如 300 kB、800 MB、1.5 GB 或 4 GiB（MB = 10⁶ 字节）；留空：不限大小。推荐随输入即时更新，基于已读取的表格，无需重新运行。</translation>
    </message>
    <message>
        <location filename="../variants_advice.py" line="47"/>
        <source>memory budget</source>
        <translation>内存预算</translation>
    </message>
    <message>
        <location filename="../variants_advice.py" line="97"/>
        <source>Named for fewer bits than their matrices are stored in: {0} (hover a file for why).</source>
        <translation>文件名所示的位数少于其矩阵的实际存储位数：{0}（将鼠标悬停在文件上查看原因）。</translation>
    </message>
    <message>
        <location filename="../variants_advice.py" line="101"/>
        <source>No recommendation: no file could be read against the reference.</source>
        <translation>没有推荐：没有文件能与参考对比读取。</translation>
    </message>
</context>
</TS>
