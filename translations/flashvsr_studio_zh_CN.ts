<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ErrorText</name>
    <message>
        <source>the file</source>
        <translation>该文件</translation>
    </message>
    <message>
        <source>&quot;%1&quot;</source>
        <translation>“%1”</translation>
    </message>
    <message>
        <source>the device</source>
        <translation>该设备</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>The operation finished without an error.</source>
        <translation>操作已完成，没有出错。</translation>
    </message>
    <message>
        <source>Nothing to do.</source>
        <translation>无需任何操作。</translation>
    </message>
    <message>
        <source>A setting is not valid</source>
        <translation>设置无效</translation>
    </message>
    <message>
        <source>A setting is out of range or does not fit another setting.</source>
        <translation>某项设置超出范围，或与其他设置不匹配。</translation>
    </message>
    <message>
        <source>The setting %1 has a value that cannot be used (%2).</source>
        <translation>设置 %1 的值无法使用（%2）。</translation>
    </message>
    <message>
        <source>Check the highlighted settings in the Parameters panel.</source>
        <translation>请检查“参数”面板中标出的设置。</translation>
    </message>
    <message>
        <source>Use one of: %1.</source>
        <translation>请使用以下之一：%1。</translation>
    </message>
    <message>
        <source>Internal error</source>
        <translation>内部错误</translation>
    </message>
    <message>
        <source>FlashVSR Studio hit a state it should never reach.</source>
        <translation>FlashVSR Studio 进入了一个本不应出现的状态。</translation>
    </message>
    <message>
        <source>Save the log (Log panel, Save) and report it with the details below.</source>
        <translation>请保存日志（“日志”面板 › 保存），并连同下面的详细信息一起报告。</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>The work was stopped before it finished.</source>
        <translation>任务在完成前被停止。</translation>
    </message>
    <message>
        <source>Start it again to continue; finished parts are kept.</source>
        <translation>重新开始即可继续；已完成的部分会保留。</translation>
    </message>
    <message>
        <source>File not found</source>
        <translation>找不到文件</translation>
    </message>
    <message>
        <source>Cannot find %1.</source>
        <translation>找不到 %1。</translation>
    </message>
    <message>
        <source>Check that the file still exists, or open it again from its new place.</source>
        <translation>请确认文件仍然存在，或从新的位置重新打开它。</translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation>空文件</translation>
    </message>
    <message>
        <source>%1 is empty (0 bytes).</source>
        <translation>%1 是空的（0 字节）。</translation>
    </message>
    <message>
        <source>Copy or download the file again.</source>
        <translation>请重新复制或下载该文件。</translation>
    </message>
    <message>
        <source>Incomplete file</source>
        <translation>文件不完整</translation>
    </message>
    <message>
        <source>%1 ends early: it is incomplete.</source>
        <translation>%1 提前结束：文件不完整。</translation>
    </message>
    <message>
        <source>Copy or download it again; a cut-off recording can often be repaired by remuxing it.</source>
        <translation>请重新复制或下载；被截断的录像通常可以通过重新封装（remux）修复。</translation>
    </message>
    <message>
        <source>Damaged file</source>
        <translation>文件已损坏</translation>
    </message>
    <message>
        <source>%1 is damaged and cannot be decoded.</source>
        <translation>%1 已损坏，无法解码。</translation>
    </message>
    <message>
        <source>%1 is damaged at frame %2.</source>
        <translation>%1 在第 %2 帧处损坏。</translation>
    </message>
    <message>
        <source>Try another copy of the file, or re-encode it first.</source>
        <translation>请换用该文件的其他副本，或先重新编码。</translation>
    </message>
    <message>
        <source>Cannot read the file</source>
        <translation>无法读取文件</translation>
    </message>
    <message>
        <source>%1 exists but cannot be read.</source>
        <translation>%1 存在但无法读取。</translation>
    </message>
    <message>
        <source>Check the file&apos;s permissions and that the disk is connected.</source>
        <translation>请检查文件权限，并确认磁盘已连接。</translation>
    </message>
    <message>
        <source>Format not supported</source>
        <translation>不支持的格式</translation>
    </message>
    <message>
        <source>%1 is not a video or picture format FlashVSR Studio can read.</source>
        <translation>%1 不是 FlashVSR Studio 能读取的视频或图片格式。</translation>
    </message>
    <message>
        <source>Convert it to MKV or MP4, or to a PNG, EXR or DPX sequence.</source>
        <translation>请将其转换为 MKV 或 MP4，或转换为 PNG、EXR 或 DPX 序列。</translation>
    </message>
    <message>
        <source>Pixel format not supported</source>
        <translation>不支持的像素格式</translation>
    </message>
    <message>
        <source>%1 stores its pictures in a way that cannot be converted to RGB.</source>
        <translation>%1 的画面存储方式无法转换为 RGB。</translation>
    </message>
    <message>
        <source>%1 uses the pixel format %2, which cannot be converted to RGB.</source>
        <translation>%1 使用的像素格式 %2 无法转换为 RGB。</translation>
    </message>
    <message>
        <source>Re-encode it to a common format such as 10-bit 4:2:0.</source>
        <translation>请将其重新编码为常见格式，例如 10 位 4:2:0。</translation>
    </message>
    <message>
        <source>No video in the file</source>
        <translation>文件中没有视频</translation>
    </message>
    <message>
        <source>%1 contains no video stream.</source>
        <translation>%1 不包含视频流。</translation>
    </message>
    <message>
        <source>Choose a file that contains video.</source>
        <translation>请选择包含视频的文件。</translation>
    </message>
    <message>
        <source>No frames</source>
        <translation>没有帧</translation>
    </message>
    <message>
        <source>%1 contains no frames.</source>
        <translation>%1 不包含任何帧。</translation>
    </message>
    <message>
        <source>Choose a video or a folder with numbered pictures.</source>
        <translation>请选择一个视频，或包含带编号图片的文件夹。</translation>
    </message>
    <message>
        <source>The input changed</source>
        <translation>输入已改变</translation>
    </message>
    <message>
        <source>%1 is not the same file this job was started from.</source>
        <translation>%1 已不是启动此任务时的那个文件。</translation>
    </message>
    <message>
        <source>Start the job again from the beginning.</source>
        <translation>请从头重新开始此任务。</translation>
    </message>
    <message>
        <source>Cannot write the output</source>
        <translation>无法写入输出</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>Choose an output folder you can write to.</source>
        <translation>请选择一个有写入权限的输出文件夹。</translation>
    </message>
    <message>
        <source>Disk full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>The disk filled up while writing %1.</source>
        <translation>写入 %1 时磁盘已满。</translation>
    </message>
    <message>
        <source>Free some space or choose another output folder; finished parts were kept.</source>
        <translation>请释放一些空间或选择其他输出文件夹；已完成的部分已保留。</translation>
    </message>
    <message>
        <source>Output already exists</source>
        <translation>输出已存在</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 已存在。</translation>
    </message>
    <message>
        <source>Change the output name, or turn on &quot;Replace existing output&quot;.</source>
        <translation>请更改输出名称，或开启“替换已有输出”。</translation>
    </message>
    <message>
        <source>Encoder not available</source>
        <translation>编码器不可用</translation>
    </message>
    <message>
        <source>The encoder %1 is not part of this FFmpeg build.</source>
        <translation>此 FFmpeg 版本不包含编码器 %1。</translation>
    </message>
    <message>
        <source>Choose another codec, for example H.264 or FFV1.</source>
        <translation>请选择其他编码格式，例如 H.264 或 FFV1。</translation>
    </message>
    <message>
        <source>Stream cannot be copied</source>
        <translation>无法复制流</translation>
    </message>
    <message>
        <source>The output format cannot hold stream %1 (%2) of the input.</source>
        <translation>输出格式无法容纳输入中的流 %1（%2）。</translation>
    </message>
    <message>
        <source>Use MKV (it holds every stream), or turn off &quot;Copy other streams&quot;.</source>
        <translation>请使用 MKV（可容纳所有流），或关闭“复制其他流”。</translation>
    </message>
    <message>
        <source>Use %1, or turn off &quot;Copy other streams&quot;.</source>
        <translation>请使用 %1，或关闭“复制其他流”。</translation>
    </message>
    <message>
        <source>Output check failed</source>
        <translation>输出校验失败</translation>
    </message>
    <message>
        <source>The finished output %1 does not match what was written, so it was not moved into place.</source>
        <translation>完成的输出 %1 与写入的内容不一致，因此未移动到目标位置。</translation>
    </message>
    <message>
        <source>Run the job again; if it happens again, report it with the details.</source>
        <translation>请重新运行任务；如果再次发生，请连同详细信息一起报告。</translation>
    </message>
    <message>
        <source>Encoding failed</source>
        <translation>编码失败</translation>
    </message>
    <message>
        <source>The encoder stopped while writing %1.</source>
        <translation>写入 %1 时编码器停止工作。</translation>
    </message>
    <message>
        <source>Try another codec or container.</source>
        <translation>请尝试其他编码格式或容器。</translation>
    </message>
    <message>
        <source>Model file missing</source>
        <translation>缺少模型文件</translation>
    </message>
    <message>
        <source>The FlashVSR model file %1 is missing.</source>
        <translation>缺少 FlashVSR 模型文件 %1。</translation>
    </message>
    <message>
        <source>Download the model files (see README, &quot;Model files&quot;) and set the Model folder, or use a classic upscaler.</source>
        <translation>请下载模型文件（见 README 的“Model files”一节）并设置“模型文件夹”，或改用经典缩放算法。</translation>
    </message>
    <message>
        <source>Wrong model file</source>
        <translation>模型文件不对</translation>
    </message>
    <message>
        <source>%1 is not the FlashVSR file expected here.</source>
        <translation>%1 不是此处需要的 FlashVSR 文件。</translation>
    </message>
    <message>
        <source>Put the right file in the model folder (see README, &quot;Model files&quot;).</source>
        <translation>请将正确的文件放入模型文件夹（见 README 的“Model files”一节）。</translation>
    </message>
    <message>
        <source>Model version mismatch</source>
        <translation>模型版本不匹配</translation>
    </message>
    <message>
        <source>%1 belongs to the other FlashVSR version.</source>
        <translation>%1 属于另一个 FlashVSR 版本。</translation>
    </message>
    <message>
        <source>Set Model version to match the files, or download the files of this version.</source>
        <translation>请将“模型版本”设为与文件一致，或下载此版本的文件。</translation>
    </message>
    <message>
        <source>Damaged model file</source>
        <translation>模型文件已损坏</translation>
    </message>
    <message>
        <source>%1 is damaged (its size or checksum is wrong).</source>
        <translation>%1 已损坏（大小或校验和不正确）。</translation>
    </message>
    <message>
        <source>Download it again.</source>
        <translation>请重新下载。</translation>
    </message>
    <message>
        <source>Model format not supported</source>
        <translation>不支持的模型格式</translation>
    </message>
    <message>
        <source>%1 is stored in a format FlashVSR Studio does not read.</source>
        <translation>%1 的存储格式 FlashVSR Studio 无法读取。</translation>
    </message>
    <message>
        <source>Use the model files as published (safetensors or PyTorch .pth).</source>
        <translation>请使用官方发布的模型文件（safetensors 或 PyTorch .pth）。</translation>
    </message>
    <message>
        <source>Model does not match</source>
        <translation>模型不匹配</translation>
    </message>
    <message>
        <source>%1 does not match this version of FlashVSR.</source>
        <translation>%1 与此版本的 FlashVSR 不匹配。</translation>
    </message>
    <message>
        <source>%1 does not match this version of FlashVSR (%2 weights missing, first: %3).</source>
        <translation>%1 与此版本的 FlashVSR 不匹配（缺少 %2 个权重，第一个：%3）。</translation>
    </message>
    <message>
        <source>Download it again, or check Model version.</source>
        <translation>请重新下载，或检查“模型版本”。</translation>
    </message>
    <message>
        <source>A weight in %1 has the wrong shape for this FlashVSR.</source>
        <translation>%1 中有一个权重的形状与此 FlashVSR 不符。</translation>
    </message>
    <message>
        <source>The weight %2 in %1 has the wrong shape for this FlashVSR.</source>
        <translation>%1 中的权重 %2 的形状与此 FlashVSR 不符。</translation>
    </message>
    <message>
        <source>Device not available</source>
        <translation>设备不可用</translation>
    </message>
    <message>
        <source>The device %1 cannot be used.</source>
        <translation>无法使用设备 %1。</translation>
    </message>
    <message>
        <source>Pick a GPU listed in the Devices panel, or set Device to cpu.</source>
        <translation>请选择“设备”面板中列出的 GPU，或将“设备”设为 cpu。</translation>
    </message>
    <message>
        <source>Out of GPU memory</source>
        <translation>GPU 显存不足</translation>
    </message>
    <message>
        <source>%1×%2</source>
        <translation>%1×%2</translation>
    </message>
    <message>
        <source>%1 ran out of memory upscaling %2.</source>
        <translation>%1 在放大 %2 时显存不足。</translation>
    </message>
    <message>
        <source>%1 ran out of memory (%2 more were needed).</source>
        <translation>%1 显存不足（还需要 %2）。</translation>
    </message>
    <message>
        <source>%1 ran out of memory.</source>
        <translation>%1 显存不足。</translation>
    </message>
    <message>
        <source>Use the &quot;Low VRAM&quot; preset or Tiny mode, or run the job on a GPU with more memory.</source>
        <translation>请使用“低显存”预设或 Tiny 模式，或在显存更大的 GPU 上运行此任务。</translation>
    </message>
    <message>
        <source>GPU stopped responding</source>
        <translation>GPU 停止响应</translation>
    </message>
    <message>
        <source>%1 stopped responding during the job.</source>
        <translation>%1 在任务过程中停止响应。</translation>
    </message>
    <message>
        <source>Check the driver (nvidia-smi) and run the job again; finished parts were kept.</source>
        <translation>请检查驱动（nvidia-smi）后重新运行任务；已完成的部分已保留。</translation>
    </message>
    <message>
        <source>Precision not supported</source>
        <translation>不支持的精度</translation>
    </message>
    <message>
        <source>%1 cannot run this precision.</source>
        <translation>%1 无法以此精度运行。</translation>
    </message>
    <message>
        <source>%1 cannot run %2.</source>
        <translation>%1 无法运行 %2。</translation>
    </message>
    <message>
        <source>Set Precision to Automatic (fp32 on the CPU, bf16 or fp16 on a GPU).</source>
        <translation>请将“精度”设为“自动”（CPU 上为 fp32，GPU 上为 bf16 或 fp16）。</translation>
    </message>
    <message>
        <source>Saved progress does not match</source>
        <translation>已保存的进度不匹配</translation>
    </message>
    <message>
        <source>The saved progress of this job was made with other settings or model files.</source>
        <translation>此任务已保存的进度是用其他设置或模型文件生成的。</translation>
    </message>
    <message>
        <source>Start the job again from the beginning, or restore the old settings.</source>
        <translation>请从头重新开始任务，或恢复原来的设置。</translation>
    </message>
    <message>
        <source>Saved progress is damaged</source>
        <translation>已保存的进度已损坏</translation>
    </message>
    <message>
        <source>The saved progress of this job cannot be read.</source>
        <translation>无法读取此任务已保存的进度。</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <source>An error with an unknown code (%1) happened.</source>
        <translation>发生了一个未知代码（%1）的错误。</translation>
    </message>
    <message>
        <source>Save the log and report it with the details below.</source>
        <translation>请保存日志，并连同下面的详细信息一起报告。</translation>
    </message>
    <message>
        <source>Code: %1 (%2)</source>
        <translation>代码：%1（%2）</translation>
    </message>
    <message>
        <source>Detail: %1</source>
        <translation>详情：%1</translation>
    </message>
</context>
<context>
    <name>Parameters</name>
    <message>
        <source>Upscaler</source>
        <translation>放大算法</translation>
    </message>
    <message>
        <source>FlashVSR (diffusion video super-resolution) or a classic scaler for a quick, deterministic upscale.</source>
        <translation>FlashVSR（扩散模型视频超分辨率），或用经典缩放算法快速、确定地放大。</translation>
    </message>
    <message>
        <source>FlashVSR</source>
        <translation>FlashVSR</translation>
    </message>
    <message>
        <source>Bicubic (classic)</source>
        <translation>双三次（经典）</translation>
    </message>
    <message>
        <source>Lanczos-3 (classic)</source>
        <translation>Lanczos-3（经典）</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>放大倍数</translation>
    </message>
    <message>
        <source>Upscale factor. FlashVSR is trained for 4x; 2x and 3x run the 4x model on a smaller pre-upscale.</source>
        <translation>放大倍数。FlashVSR 按 4 倍训练；2 倍和 3 倍会用较小的预放大运行 4 倍模型。</translation>
    </message>
    <message>
        <source>x</source>
        <translation>倍</translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <source>Folder with the FlashVSR model files. Empty: $FLASHVSR_MODEL_DIR or the default models folder.</source>
        <translation>存放 FlashVSR 模型文件的文件夹。留空：使用 $FLASHVSR_MODEL_DIR 或默认模型文件夹。</translation>
    </message>
    <message>
        <source>Default models folder</source>
        <translation>默认模型文件夹</translation>
    </message>
    <message>
        <source>Model version</source>
        <translation>模型版本</translation>
    </message>
    <message>
        <source>Which FlashVSR release the model files are.</source>
        <translation>模型文件对应的 FlashVSR 版本。</translation>
    </message>
    <message>
        <source>FlashVSR 1.0</source>
        <translation>FlashVSR 1.0</translation>
    </message>
    <message>
        <source>FlashVSR 1.1</source>
        <translation>FlashVSR 1.1</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Tiny: fast tiny decoder. Tiny-long: the same, streaming with constant memory for long videos. Full: the Wan VAE decoder, best detail, most memory.</source>
        <translation>Tiny：快速的小型解码器。Tiny-long：同上，以恒定内存流式处理长视频。Full：Wan VAE 解码器，细节最好，占用内存最多。</translation>
    </message>
    <message>
        <source>Tiny</source>
        <translation>Tiny</translation>
    </message>
    <message>
        <source>Tiny (long video)</source>
        <translation>Tiny（长视频）</translation>
    </message>
    <message>
        <source>Full</source>
        <translation>Full（完整）</translation>
    </message>
    <message>
        <source>Colour correction</source>
        <translation>色彩校正</translation>
    </message>
    <message>
        <source>Matches the output colours to the input. AdaIN is what upstream FlashVSR uses.</source>
        <translation>使输出的色彩与输入一致。上游 FlashVSR 使用 AdaIN。</translation>
    </message>
    <message>
        <source>AdaIN</source>
        <translation>AdaIN</translation>
    </message>
    <message>
        <source>Wavelet</source>
        <translation>小波</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Noise seed. The same seed and settings give the same output.</source>
        <translation>噪声种子。相同的种子和设置会得到相同的输出。</translation>
    </message>
    <message>
        <source>Sparse ratio</source>
        <translation>稀疏比</translation>
    </message>
    <message>
        <source>Attention sparsity: 1.5 is faster, 2.0 is more stable.</source>
        <translation>注意力稀疏度：1.5 更快，2.0 更稳定。</translation>
    </message>
    <message>
        <source>KV cache ratio</source>
        <translation>KV 缓存比</translation>
    </message>
    <message>
        <source>Length of the temporal key/value cache. Longer keeps more temporal context and uses more memory.</source>
        <translation>时间维键值缓存的长度。越长保留的时间上下文越多，占用内存也越多。</translation>
    </message>
    <message>
        <source>Local range</source>
        <translation>局部范围</translation>
    </message>
    <message>
        <source>Side of the spatial attention window in blocks: 9 or 11.</source>
        <translation>空间注意力窗口的边长（以块计）：9 或 11。</translation>
    </message>
    <message>
        <source>blocks</source>
        <translation>块</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Block-sparse attention kernel (fast, exact), or the plain reference implementation for checking.</source>
        <translation>块稀疏注意力内核（快速、精确），或用于核对的普通参考实现。</translation>
    </message>
    <message>
        <source>Block-sparse</source>
        <translation>块稀疏</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>参考实现</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>auto, cpu, cuda or cuda:N (N = the GPU number in the Devices panel).</source>
        <translation>auto、cpu、cuda 或 cuda:N（N 为“设备”面板中的 GPU 编号）。</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <source>Number format of the model. Automatic: bf16 on a GPU, fp32 on the CPU.</source>
        <translation>模型的数值格式。自动：GPU 上为 bf16，CPU 上为 fp32。</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>bf16</source>
        <translation>bf16</translation>
    </message>
    <message>
        <source>fp16</source>
        <translation>fp16</translation>
    </message>
    <message>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <source>Tiled VAE</source>
        <translation>分块 VAE</translation>
    </message>
    <message>
        <source>Full mode: decode the VAE in upstream&apos;s overlapping tiles, for the output of upstream&apos;s tiled runs. The untiled decode here already works frame by frame: tiles take about 2.5x as long and more GPU memory. To save memory, use Tiled processing.</source>
        <translation>Full 模式：按上游的重叠分块方式解码 VAE，输出与上游分块运行一致。本程序的非分块解码已逐帧进行：分块约需 2.5 倍时间并占用更多显存。如需节省显存，请使用“分块处理”。</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <source>CPU threads for LibTorch and the classic scalers.</source>
        <translation>LibTorch 和经典缩放算法使用的 CPU 线程数。</translation>
    </message>
    <message>
        <source>All cores</source>
        <translation>全部核心</translation>
    </message>
    <message>
        <source>Frame limit</source>
        <translation>帧数上限</translation>
    </message>
    <message>
        <source>Process at most this many frames (for trials).</source>
        <translation>最多处理这么多帧（用于试运行）。</translation>
    </message>
    <message>
        <source>All frames</source>
        <translation>全部帧</translation>
    </message>
    <message>
        <source>frames</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Where outputs go. Empty: beside each input.</source>
        <translation>输出的保存位置。留空：与各输入放在一起。</translation>
    </message>
    <message>
        <source>Beside the input</source>
        <translation>与输入相同的位置</translation>
    </message>
    <message>
        <source>Output name</source>
        <translation>输出名称</translation>
    </message>
    <message>
        <source>Name of the output without extension. Fields: {name} {scale} {upscaler} {mode} {codec} {format} {date}. The input is never overwritten.</source>
        <translation>输出的名称（不含扩展名）。可用字段：{name} {scale} {upscaler} {mode} {codec} {format} {date}。绝不会覆盖输入文件。</translation>
    </message>
    <message>
        <source>Output type</source>
        <translation>输出类型</translation>
    </message>
    <message>
        <source>A video file, or a folder of pictures.</source>
        <translation>一个视频文件，或一个图片文件夹。</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Pictures</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Video: MKV, MP4 or MOV. Pictures: PNG, DPX or EXR.</source>
        <translation>视频：MKV、MP4 或 MOV。图片：PNG、DPX 或 EXR。</translation>
    </message>
    <message>
        <source>MKV</source>
        <translation>MKV</translation>
    </message>
    <message>
        <source>MP4</source>
        <translation>MP4</translation>
    </message>
    <message>
        <source>MOV</source>
        <translation>MOV</translation>
    </message>
    <message>
        <source>PNG</source>
        <translation>PNG</translation>
    </message>
    <message>
        <source>DPX</source>
        <translation>DPX</translation>
    </message>
    <message>
        <source>OpenEXR</source>
        <translation>OpenEXR</translation>
    </message>
    <message>
        <source>Codec</source>
        <translation>编码格式</translation>
    </message>
    <message>
        <source>Video codec of the output.</source>
        <translation>输出视频的编码格式。</translation>
    </message>
    <message>
        <source>H.264</source>
        <translation>H.264</translation>
    </message>
    <message>
        <source>H.265 / HEVC</source>
        <translation>H.265 / HEVC</translation>
    </message>
    <message>
        <source>AV1</source>
        <translation>AV1</translation>
    </message>
    <message>
        <source>ProRes 422 HQ</source>
        <translation>ProRes 422 HQ</translation>
    </message>
    <message>
        <source>ProRes 4444</source>
        <translation>ProRes 4444</translation>
    </message>
    <message>
        <source>FFV1 (lossless)</source>
        <translation>FFV1（无损）</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>Encoder quality preset (chooses the CRF for the codec).</source>
        <translation>编码器质量预设（为编码格式选择 CRF）。</translation>
    </message>
    <message>
        <source>Lossless</source>
        <translation>无损</translation>
    </message>
    <message>
        <source>Very high</source>
        <translation>很高</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>Small file</source>
        <translation>小文件</translation>
    </message>
    <message>
        <source>CRF</source>
        <translation>CRF</translation>
    </message>
    <message>
        <source>Constant rate factor; overrides the quality preset. Lower is better: 0 to 51 (H.264/H.265), 0 to 63 (AV1).</source>
        <translation>恒定质量因子，会覆盖质量预设。越低越好：0 到 51（H.264/H.265），0 到 63（AV1）。</translation>
    </message>
    <message>
        <source>From quality</source>
        <translation>按质量预设</translation>
    </message>
    <message>
        <source>Bit depth</source>
        <translation>位深</translation>
    </message>
    <message>
        <source>Bits per component. Video 8 or 10 (FFV1 also 16), PNG 8 or 16, DPX 10 or 16, EXR 16 (half) or 32 (float).</source>
        <translation>每个分量的位数。视频 8 或 10（FFV1 也可 16），PNG 8 或 16，DPX 10 或 16，EXR 16（半精度）或 32（浮点）。</translation>
    </message>
    <message>
        <source>As the source</source>
        <translation>与源相同</translation>
    </message>
    <message>
        <source>8 bit</source>
        <translation>8 位</translation>
    </message>
    <message>
        <source>10 bit</source>
        <translation>10 位</translation>
    </message>
    <message>
        <source>16 bit</source>
        <translation>16 位</translation>
    </message>
    <message>
        <source>32 bit float</source>
        <translation>32 位浮点</translation>
    </message>
    <message>
        <source>Hardware encoder</source>
        <translation>硬件编码器</translation>
    </message>
    <message>
        <source>Use NVENC when the GPU has it; otherwise the software encoder is used.</source>
        <translation>GPU 支持时使用 NVENC；否则使用软件编码器。</translation>
    </message>
    <message>
        <source>EXR compression</source>
        <translation>EXR 压缩</translation>
    </message>
    <message>
        <source>Compression of OpenEXR pictures.</source>
        <translation>OpenEXR 图片的压缩方式。</translation>
    </message>
    <message>
        <source>PIZ</source>
        <translation>PIZ</translation>
    </message>
    <message>
        <source>ZIP</source>
        <translation>ZIP</translation>
    </message>
    <message>
        <source>DWAA (lossy)</source>
        <translation>DWAA（有损）</translation>
    </message>
    <message>
        <source>Copy other streams</source>
        <translation>复制其他流</translation>
    </message>
    <message>
        <source>Copy audio, subtitles, chapters and attachments bit-exact from the input.</source>
        <translation>从输入原样复制音频、字幕、章节和附件。</translation>
    </message>
    <message>
        <source>Replace existing output</source>
        <translation>替换已有输出</translation>
    </message>
    <message>
        <source>Replace an output file that already exists. The input is never replaced.</source>
        <translation>替换已存在的输出文件。绝不会替换输入文件。</translation>
    </message>
    <message>
        <source>Sequence frame rate</source>
        <translation>序列帧率</translation>
    </message>
    <message>
        <source>Frame rate of an image-sequence input, e.g. 24, 23.976 or 30000/1001. Empty: 30.</source>
        <translation>图像序列输入的帧率，例如 24、23.976 或 30000/1001。留空：30。</translation>
    </message>
    <message>
        <source>30</source>
        <translation>30</translation>
    </message>
    <message>
        <source>Output frame rate</source>
        <translation>输出帧率</translation>
    </message>
    <message>
        <source>Re-time the output to this rate. Empty: the input&apos;s rate.</source>
        <translation>按此帧率重新设定输出时间。留空：与输入相同。</translation>
    </message>
    <message>
        <source>As the input</source>
        <translation>与输入相同</translation>
    </message>
    <message>
        <source>HDR handling</source>
        <translation>HDR 处理</translation>
    </message>
    <message>
        <source>Automatic: tone-map PQ and HLG sources around the model and restore HDR after it. SDR: treat every source as SDR. Tone mapping: always.</source>
        <translation>自动：对 PQ 和 HLG 源在模型前后做色调映射并在之后恢复 HDR。SDR：将所有源视为 SDR。色调映射：始终进行。</translation>
    </message>
    <message>
        <source>Treat as SDR</source>
        <translation>视为 SDR</translation>
    </message>
    <message>
        <source>Always tone-map</source>
        <translation>始终色调映射</translation>
    </message>
    <message>
        <source>Tone mapping</source>
        <translation>色调映射</translation>
    </message>
    <message>
        <source>Curve used to bring HDR into the model&apos;s range; inverted exactly afterwards.</source>
        <translation>用于把 HDR 映射到模型取值范围的曲线；之后会被精确地反变换回来。</translation>
    </message>
    <message>
        <source>Reinhard</source>
        <translation>Reinhard</translation>
    </message>
    <message>
        <source>Logarithmic</source>
        <translation>对数</translation>
    </message>
    <message>
        <source>ACES</source>
        <translation>ACES</translation>
    </message>
    <message>
        <source>Exposure</source>
        <translation>曝光</translation>
    </message>
    <message>
        <source>Linear gain applied before tone mapping.</source>
        <translation>色调映射前施加的线性增益。</translation>
    </message>
    <message>
        <source>Peak luminance</source>
        <translation>峰值亮度</translation>
    </message>
    <message>
        <source>Peak linear luminance for tone mapping. Automatic: measured once on sampled frames of the job.</source>
        <translation>色调映射使用的峰值线性亮度。自动：在任务的抽样帧上测量一次。</translation>
    </message>
    <message>
        <source>Measured</source>
        <translation>自动测量</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Performance &amp; memory</source>
        <translation>性能与内存</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>HDR</source>
        <translation>HDR</translation>
    </message>
    <message>
        <source>%1 must be from %2 to %3.</source>
        <translation>%1 必须在 %2 到 %3 之间。</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not one of the choices.</source>
        <translation>%1：“%2”不是可选值之一。</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a frame rate (try 24, 23.976 or 30000/1001).</source>
        <translation>%1：“%2”不是有效的帧率（可试 24、23.976 或 30000/1001）。</translation>
    </message>
    <message>
        <source>Device must be auto, cpu, cuda or cuda:N.</source>
        <translation>设备必须是 auto、cpu、cuda 或 cuda:N。</translation>
    </message>
    <message>
        <source>The CPU runs FlashVSR in fp32 only; choose fp32 or Automatic.</source>
        <translation>CPU 只能以 fp32 运行 FlashVSR；请选择 fp32 或“自动”。</translation>
    </message>
    <message>
        <source>Pictures are written as PNG, DPX or EXR.</source>
        <translation>图片只能保存为 PNG、DPX 或 EXR。</translation>
    </message>
    <message>
        <source>Videos are written as MKV, MP4 or MOV.</source>
        <translation>视频只能保存为 MKV、MP4 或 MOV。</translation>
    </message>
    <message>
        <source>MP4 cannot hold ProRes or FFV1; use MKV or MOV.</source>
        <translation>MP4 无法容纳 ProRes 或 FFV1；请使用 MKV 或 MOV。</translation>
    </message>
    <message>
        <source>FFV1 in MOV plays in few players; MKV is safer.</source>
        <translation>很少有播放器支持 MOV 中的 FFV1；MKV 更稳妥。</translation>
    </message>
    <message>
        <source>Video is 8 or 10 bit (16 bit only with FFV1).</source>
        <translation>视频为 8 或 10 位（16 位仅限 FFV1）。</translation>
    </message>
    <message>
        <source>CRF for H.264 and H.265 is 0 to 51.</source>
        <translation>H.264 和 H.265 的 CRF 范围是 0 到 51。</translation>
    </message>
    <message>
        <source>ProRes and FFV1 ignore the CRF.</source>
        <translation>ProRes 和 FFV1 会忽略 CRF。</translation>
    </message>
    <message>
        <source>PNG is 8 or 16 bit, DPX 10 or 16, EXR 16 or 32.</source>
        <translation>PNG 为 8 或 16 位，DPX 为 10 或 16 位，EXR 为 16 或 32 位。</translation>
    </message>
    <message>
        <source>Tiled VAE only applies to Full mode.</source>
        <translation>分块 VAE 仅适用于 Full 模式。</translation>
    </message>
    <message>
        <source>FlashVSR was tuned with a local range of 9 or 11.</source>
        <translation>FlashVSR 是按局部范围 9 或 11 调优的。</translation>
    </message>
    <message>
        <source>FlashVSR is trained for 4x; other factors are softer.</source>
        <translation>FlashVSR 按 4 倍训练；其他倍数的结果会更模糊。</translation>
    </message>
    <message>
        <source>The output name is empty.</source>
        <translation>输出名称为空。</translation>
    </message>
    <message>
        <source>Slashes in the output name are replaced by &apos;_&apos;; use the output folder for folders.</source>
        <translation>输出名称中的斜杠会被替换为“_”；如需子文件夹，请使用输出文件夹。</translation>
    </message>
    <message>
        <source>Pre-upscale</source>
        <translation>预放大</translation>
    </message>
    <message>
        <source>Bicubic pre-upscale of the input: as upstream&apos;s inference script (torch), or as the official repository&apos;s PIL path.</source>
        <translation>输入的双三次预放大：与上游推理脚本相同（torch），或与官方仓库的 PIL 路径相同。</translation>
    </message>
    <message>
        <source>Bicubic (torch)</source>
        <translation>双三次（torch）</translation>
    </message>
    <message>
        <source>Bicubic (PIL)</source>
        <translation>双三次（PIL）</translation>
    </message>
    <message>
        <source>First frame</source>
        <translation>起始帧</translation>
    </message>
    <message>
        <source>First source frame to process (0 = the start). The viewer&apos;s in point sets it for the job it adds.</source>
        <translation>要处理的第一个源帧（0 = 开头）。从查看器添加任务时由入点设置。</translation>
    </message>
    <message>
        <source>End frame</source>
        <translation>结束帧</translation>
    </message>
    <message>
        <source>Source frame to stop before. The viewer&apos;s out point sets it (out point + 1) for the job it adds.</source>
        <translation>在此源帧之前停止（不含该帧）。从查看器添加任务时由出点设置（出点 + 1）。</translation>
    </message>
    <message>
        <source>To the end</source>
        <translation>直到结尾</translation>
    </message>
    <message>
        <source>Unload DiT while decoding</source>
        <translation>解码时卸载 DiT</translation>
    </message>
    <message>
        <source>Move the diffusion model to host memory while the decoder runs. Saves GPU memory in Full mode at some speed.</source>
        <translation>解码器运行时把扩散模型移到主机内存。在 Full 模式下节省显存，但会稍慢。</translation>
    </message>
    <message>
        <source>GPU memory budget</source>
        <translation>显存预算</translation>
    </message>
    <message>
        <source>GPU memory the planner may use for automatic tile size and batch. Automatic: the device&apos;s free memory.</source>
        <translation>规划器在自动选择分块大小和批量时可使用的显存。自动：设备当前的空闲显存。</translation>
    </message>
    <message>
        <source>GiB</source>
        <translation>GiB</translation>
    </message>
    <message>
        <source>Free memory</source>
        <translation>空闲显存</translation>
    </message>
    <message>
        <source>Tiled processing</source>
        <translation>分块处理</translation>
    </message>
    <message>
        <source>Run the whole model per spatial tile and blend the tiles without seams. Needed for large frames on small GPUs.</source>
        <translation>按空间分块运行整个模型，并无缝融合各块。在小显存 GPU 上处理大画面时需要。</translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation>分块大小</translation>
    </message>
    <message>
        <source>Tile side in input pixels (32 to 4096). Automatic: the fastest tiles that fit the GPU memory budget.</source>
        <translation>分块边长，以输入像素计（32 到 4096）。自动：能放进显存预算的最快分块。</translation>
    </message>
    <message>
        <source>px</source>
        <translation>像素</translation>
    </message>
    <message>
        <source>Tile overlap</source>
        <translation>分块重叠</translation>
    </message>
    <message>
        <source>Input pixels shared by neighbouring tiles and blended; must be smaller than the tile size.</source>
        <translation>相邻分块共享并融合的输入像素数；必须小于分块大小。</translation>
    </message>
    <message>
        <source>Shifted second grid</source>
        <translation>错位第二网格</translation>
    </message>
    <message>
        <source>Add a second tile grid offset by half a stride and average both: fewer visible tile edges, about twice the work.</source>
        <translation>增加一个错开半个步长的第二分块网格并取两者平均：分块边缘更不明显，工作量约为两倍。</translation>
    </message>
    <message>
        <source>Tiles per batch</source>
        <translation>每批分块数</translation>
    </message>
    <message>
        <source>Tiles processed by one model call. Automatic: as many as the free GPU memory allows.</source>
        <translation>一次模型调用处理的分块数。自动：空闲显存允许的最大数量。</translation>
    </message>
    <message>
        <source>tiles</source>
        <translation>块</translation>
    </message>
    <message>
        <source>Adaptive tile batch</source>
        <translation>自适应分块批量</translation>
    </message>
    <message>
        <source>Halve the tile batch and retry after running out of GPU memory instead of failing the job.</source>
        <translation>显存不足时将分块批量减半并重试，而不是让任务失败。</translation>
    </message>
    <message>
        <source>Segment length</source>
        <translation>片段长度</translation>
    </message>
    <message>
        <source>Frames fed to one model run, overlap included. Each finished segment is kept, so a stopped job resumes there. Automatic: 4093 (FlashVSR&apos;s limit).</source>
        <translation>一次模型运行输入的帧数（含重叠）。每个完成的片段都会保留，停止的任务可从那里继续。自动：4093（FlashVSR 的上限）。</translation>
    </message>
    <message>
        <source>Segment overlap</source>
        <translation>片段重叠</translation>
    </message>
    <message>
        <source>Extra frames fed at each inner segment boundary and dropped at the join, so the model is warmed up there.</source>
        <translation>在每个内部片段边界额外输入、拼接时丢弃的帧，使模型在边界处已预热。</translation>
    </message>
    <message>
        <source>Split at scene cuts</source>
        <translation>在镜头切换处分段</translation>
    </message>
    <message>
        <source>Restart the model&apos;s temporal state at detected scene cuts, so one shot does not bleed into the next.</source>
        <translation>在检测到的镜头切换处重置模型的时间状态，避免一个镜头影响下一个镜头。</translation>
    </message>
    <message>
        <source>Scene cut threshold</source>
        <translation>镜头切换阈值</translation>
    </message>
    <message>
        <source>Detector score (0 to 1) above which a frame starts a new shot. Lower finds more cuts.</source>
        <translation>检测分数（0 到 1）高于此值时，该帧开始一个新镜头。越低检测到的切换越多。</translation>
    </message>
    <message>
        <source>Keep checkpoint</source>
        <translation>保留检查点</translation>
    </message>
    <message>
        <source>Keep the finished segments and the manifest after a successful job (normally removed).</source>
        <translation>任务成功后保留已完成的片段和清单（默认会删除）。</translation>
    </message>
    <message>
        <source>Tiling</source>
        <translation>分块</translation>
    </message>
    <message>
        <source>Segments &amp; resume</source>
        <translation>分段与续传</translation>
    </message>
    <message>
        <source>The end frame must come after the first frame.</source>
        <translation>结束帧必须在起始帧之后。</translation>
    </message>
    <message>
        <source>The tile overlap must be smaller than the tile size.</source>
        <translation>分块重叠必须小于分块大小。</translation>
    </message>
    <message>
        <source>An overlap above half the tile size makes many more tiles for little gain.</source>
        <translation>重叠超过分块大小的一半会产生多得多的分块，收益却很小。</translation>
    </message>
    <message>
        <source>A segment needs at least %1 frames (21 plus twice the segment overlap).</source>
        <translation>一个片段至少需要 %1 帧（21 加上两倍的片段重叠）。</translation>
    </message>
    <message>
        <source>FlashVSR runs at most %1 frames at a time.</source>
        <translation>FlashVSR 一次最多处理 %1 帧。</translation>
    </message>
    <message>
        <source>Tile order</source>
        <translation>分块顺序</translation>
    </message>
    <message>
        <source>How a tiled job works through a segment. Frame by frame: every tile of each chunk in turn, frames appear as they are done. Tile by tile: each tile runs through the whole segment with one tile state on the GPU; it uses the least GPU memory, but frames appear only when the segment is done and it needs scratch disk in the job&apos;s work folder. Automatic: the planner picks. Both give the same pictures.</source>
        <translation>分块任务处理一个分段的顺序。逐帧：每个块（chunk）依次处理所有分块，帧处理完即输出。逐块：每个分块单独跑完整个分段，GPU 上只保留一个分块的状态；显存占用最少，但要等分段完成后才输出帧，并且需要任务工作文件夹中的临时磁盘空间。自动：由规划器选择。两种顺序得到的画面相同。</translation>
    </message>
    <message>
        <source>Frame by frame</source>
        <translation>逐帧</translation>
    </message>
    <message>
        <source>Tile by tile</source>
        <translation>逐块</translation>
    </message>
</context>
<context>
    <name>PlanReadout</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>Open a video to see the prediction.</source>
        <translation>打开一个视频即可查看预测。</translation>
    </message>
    <message>
        <source>The frame count is not known yet.</source>
        <translation>帧数尚未确定。</translation>
    </message>
    <message>
        <source>The frame range holds no frames of this input.</source>
        <translation>该帧范围内没有此输入的帧。</translation>
    </message>
    <message>
        <source>peak GPU memory %1</source>
        <translation>显存峰值 %1</translation>
    </message>
    <message>
        <source>peak memory %1 (CPU)</source>
        <translation>内存峰值 %1（CPU）</translation>
    </message>
    <message>
        <source>tiles %1 px, %2 per frame, batch %3</source>
        <translation>分块 %1 像素，每帧 %2 块，批量 %3</translation>
    </message>
    <message>
        <source>untiled</source>
        <translation>不分块</translation>
    </message>
    <message>
        <source>Prediction for %1 frames: %2, temporary disk %3, about %4; %5.</source>
        <translation>%1 帧的预测：%2，临时磁盘 %3，约 %4；%5。</translation>
    </message>
    <message>
        <source>It does not fit the memory budget even with the smallest tiles.</source>
        <translation>即使使用最小的分块也超出显存预算。</translation>
    </message>
    <message>
        <source>tiles %1 px, %2 per frame, tile by tile (scratch disk %3; frames appear when a segment is done)</source>
        <translation>分块 %1 像素，每帧 %2 块，逐块处理（临时磁盘 %3；分段完成后才输出帧）</translation>
    </message>
</context>
<context>
    <name>Presets</name>
    <message>
        <source>Fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <source>Tiny mode with sparser attention and a shorter cache: quickest FlashVSR, H.264 output.</source>
        <translation>Tiny 模式，更稀疏的注意力和更短的缓存：最快的 FlashVSR，输出 H.264。</translation>
    </message>
    <message>
        <source>Low VRAM (8-16 GB)</source>
        <translation>低显存（8-16 GB）</translation>
    </message>
    <message>
        <source>Long video</source>
        <translation>长视频</translation>
    </message>
    <message>
        <source>Tiny-long mode streams with constant memory; H.265 in MKV with all other streams copied.</source>
        <translation>Tiny-long 模式以恒定内存流式处理；输出为 MKV 中的 H.265，并复制所有其他流。</translation>
    </message>
    <message>
        <source>High quality</source>
        <translation>高质量</translation>
    </message>
    <message>
        <source>Full mode with the Wan VAE decoder (untiled: no tile seams), stable attention, 10-bit H.265 at very high quality.</source>
        <translation>Full 模式，使用 Wan VAE 解码器（不分块，无拼接缝）和稳定的注意力设置，输出很高质量的 10 位 H.265。</translation>
    </message>
    <message>
        <source>HDR</source>
        <translation>HDR</translation>
    </message>
    <message>
        <source>Tone-maps HDR sources around the model and restores them; 10-bit H.265 in MKV keeps the HDR metadata.</source>
        <translation>在模型前后对 HDR 源做色调映射并恢复；MKV 中的 10 位 H.265 会保留 HDR 元数据。</translation>
    </message>
    <message>
        <source>Image sequence</source>
        <translation>图像序列</translation>
    </message>
    <message>
        <source>Writes 16-bit PNG pictures; sequence inputs run at 24 fps.</source>
        <translation>输出 16 位 PNG 图片；序列输入按 24 fps 处理。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be a number.</source>
        <translation>“%1”必须是数字。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be true or false.</source>
        <translation>“%1”必须是 true 或 false。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be text.</source>
        <translation>“%1”必须是文本。</translation>
    </message>
    <message>
        <source>Not a JSON file (%1 at byte %2).</source>
        <translation>不是 JSON 文件（第 %2 字节处：%1）。</translation>
    </message>
    <message>
        <source>Not a FlashVSR Studio preset file.</source>
        <translation>不是 FlashVSR Studio 预设文件。</translation>
    </message>
    <message>
        <source>This preset was written by a newer FlashVSR Studio (version %1).</source>
        <translation>此预设由更新版本的 FlashVSR Studio 写入（版本 %1）。</translation>
    </message>
    <message>
        <source>The preset has no name.</source>
        <translation>预设没有名称。</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>无法创建文件夹 %1。</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Built-in presets cannot be deleted.</source>
        <translation>内置预设不能删除。</translation>
    </message>
    <message>
        <source>Cannot delete %1.</source>
        <translation>无法删除 %1。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Tiny mode, fp16, sparse attention, local range 9 and a short cache, for GPUs with 8 to 16 GB; large frames are cut into the largest tiles that fit.</source>
        <translation>Tiny 模式、fp16、稀疏注意力、局部范围 9 和较短的缓存，适用于 8 到 16 GB 显存的 GPU；大画面会被切分成能放进显存的最大分块。</translation>
    </message>
    <message>
        <source>Multi-GPU</source>
        <translation>多 GPU</translation>
    </message>
    <message>
        <source>Cuts each job into segments of 240 frames (new ones at scene cuts) that the queue spreads over every idle GPU; the devices the queue may use are ticked in the Devices panel.</source>
        <translation>把每个任务切成 240 帧的片段（在场景切换处另起新片段），由队列分配到每个空闲的 GPU；队列可使用的设备在“设备”面板中勾选。</translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <source>%1 KiB</source>
        <translation>%1 KiB</translation>
    </message>
</context>
<context>
    <name>ui::AboutDialog</name>
    <message>
        <source>About FlashVSR Studio</source>
        <translation>关于 FlashVSR Studio</translation>
    </message>
    <message>
        <source>&lt;h2&gt;FlashVSR Studio %1&lt;/h2&gt;&lt;p&gt;Video super-resolution with FlashVSR (one-step diffusion), plus classic bicubic and Lanczos scalers, for videos and image sequences.&lt;/p&gt;&lt;p&gt;Built with Qt %2, LibTorch, FFmpeg, OpenEXR and QCustomPlot.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;FlashVSR Studio %1&lt;/h2&gt;&lt;p&gt;使用 FlashVSR（单步扩散）进行视频超分辨率，另提供经典的双三次和 Lanczos 缩放，适用于视频和图像序列。&lt;/p&gt;&lt;p&gt;基于 Qt %2、LibTorch、FFmpeg、OpenEXR 和 QCustomPlot 构建。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>ui::AfterQueue</name>
    <message>
        <source>Upscaling videos</source>
        <translation>正在放大视频</translation>
    </message>
    <message>
        <source>Job failed: %1</source>
        <translation>任务失败：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) done</source>
        <translation>
            <numerusform>%n 个任务已完成</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n 个失败</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cancelled</source>
        <translation>
            <numerusform>%n 个已取消</numerusform>
        </translation>
    </message>
    <message>
        <source>The queue is finished</source>
        <translation>队列已完成</translation>
    </message>
    <message numerus="yes">
        <source>FlashVSR Studio quits in %n second(s).</source>
        <translation>
            <numerusform>FlashVSR Studio 将在 %n 秒后退出。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The computer suspends in %n second(s).</source>
        <translation>
            <numerusform>计算机将在 %n 秒后挂起。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The computer shuts down in %n second(s).</source>
        <translation>
            <numerusform>计算机将在 %n 秒后关机。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>&quot;%1&quot; runs in %n second(s).</source>
        <translation>
            <numerusform>“%1”将在 %n 秒后运行。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ui::ComparisonPanel</name>
    <message>
        <source>Open a video first.</source>
        <translation>请先打开一个视频。</translation>
    </message>
    <message>
        <source>Rendering…</source>
        <translation>正在渲染…</translation>
    </message>
    <message>
        <source>Rendering frames %1 to %2 (%3 of %4 fit the preview memory budget)…</source>
        <translation>正在渲染第 %1 到 %2 帧（预览内存预算可容纳 %4 帧中的 %3 帧）…</translation>
    </message>
    <message>
        <source>Rendering frames %1 to %2…</source>
        <translation>正在渲染第 %1 到 %2 帧…</translation>
    </message>
    <message numerus="yes">
        <source>Stopped after %n frame(s).</source>
        <translation>
            <numerusform>已在 %n 帧后停止。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s) rendered. Scrub in the viewer to compare them.</source>
        <translation>
            <numerusform>已渲染 %n 帧。在查看器中拖动时间线即可对比。</numerusform>
        </translation>
    </message>
    <message>
        <source>Preview failed.</source>
        <translation>预览失败。</translation>
    </message>
    <message>
        <source>Before: Bicubic ×%1 (classic scaler)</source>
        <translation>之前：双三次 ×%1（经典缩放）</translation>
    </message>
    <message>
        <source>After: %1 ×%2 (classic scaler, not FlashVSR)</source>
        <translation>之后：%1 ×%2（经典缩放，非 FlashVSR）</translation>
    </message>
    <message>
        <source>Open a video to compare before and after.</source>
        <translation>打开一个视频以对比处理前后的效果。</translation>
    </message>
    <message>
        <source>Frame %1 has no preview. Rendered: frames %2 to %3.</source>
        <translation>第 %1 帧没有预览。已渲染：第 %2 到 %3 帧。</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>分割</translation>
    </message>
    <message>
        <source>Wipe between before and after; drag the divider.</source>
        <translation>在处理前后之间划变对比；拖动分隔线。</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>并排</translation>
    </message>
    <message>
        <source>Before and after next to each other, zoomed and panned together.</source>
        <translation>处理前后并排显示，同步缩放和平移。</translation>
    </message>
    <message>
        <source>Toggle</source>
        <translation>切换</translation>
    </message>
    <message>
        <source>One image at a time; press T to switch.</source>
        <translation>每次显示一张图像；按 T 切换。</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Heat map of where before and after differ.</source>
        <translation>显示处理前后差异位置的热力图。</translation>
    </message>
    <message>
        <source>Toggle before/after</source>
        <translation>切换处理前/后</translation>
    </message>
    <message>
        <source>Render preview</source>
        <translation>渲染预览</translation>
    </message>
    <message>
        <source>Upscale the in/out range of the viewer for comparison (Ctrl+R).</source>
        <translation>放大查看器中入点到出点的范围以供对比（Ctrl+R）。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>After:</source>
        <translation>之后：</translation>
    </message>
    <message>
        <source>Lanczos-3 ×%1</source>
        <translation>Lanczos-3 ×%1</translation>
    </message>
    <message>
        <source>Bicubic ×%1</source>
        <translation>双三次 ×%1</translation>
    </message>
    <message>
        <source>Scaler that renders the &quot;after&quot; side. &quot;Before&quot; is always the source scaled by bicubic.</source>
        <translation>用于渲染“之后”一侧的缩放算法。“之前”始终是用双三次缩放的源画面。</translation>
    </message>
    <message>
        <source>Gain:</source>
        <translation>增益：</translation>
    </message>
    <message>
        <source>Amplifies differences so small ones become visible.</source>
        <translation>放大差异，使细小的差异也能看见。</translation>
    </message>
    <message>
        <source>Planning the region preview…</source>
        <translation>正在规划区域预览…</translation>
    </message>
    <message numerus="yes">
        <source>Rendering a %1×%2 region at full settings: frames %3 to %4 after %n warm-up frame(s)…</source>
        <translation>
            <numerusform>正在以完整设置渲染 %1×%2 的区域：先渲染 %n 个预热帧，然后是第 %3 到 %4 帧…</numerusform>
        </translation>
    </message>
    <message>
        <source>Region preview stopped.</source>
        <translation>区域预览已停止。</translation>
    </message>
    <message numerus="yes">
        <source>Region %1×%2: %n frame(s) in %3 (%4 fps; model loaded in %5).</source>
        <translation>
            <numerusform>区域 %1×%2：%n 帧用时 %3（%4 fps；模型加载用时 %5）。</numerusform>
        </translation>
    </message>
    <message>
        <source>peak GPU memory %1</source>
        <translation>显存峰值 %1</translation>
    </message>
    <message>
        <source>peak memory %1 (CPU)</source>
        <translation>内存峰值 %1（CPU）</translation>
    </message>
    <message numerus="yes">
        <source>Whole job (%n frame(s)): about %1 at %2 fps, temporary disk %3, %4.</source>
        <translation>
            <numerusform>整个任务（%n 帧）：约 %1，速度 %2 fps，临时磁盘 %3，%4。</numerusform>
        </translation>
    </message>
    <message>
        <source>region %1×%2 at %3, %4</source>
        <translation>区域 %1×%2，位于 %3, %4</translation>
    </message>
    <message>
        <source>Before: Bicubic ×%1 (classic scaler), %2</source>
        <translation>之前：双三次 ×%1（经典缩放），%2</translation>
    </message>
    <message>
        <source>After: full settings, %1</source>
        <translation>之后：完整设置，%1</translation>
    </message>
    <message>
        <source>After: %1, %2</source>
        <translation>之后：%1，%2</translation>
    </message>
    <message>
        <source>No preview yet. Set in and out points in the viewer (I and O), then press Render preview (Ctrl+R). For FlashVSR at full settings, click a tile of the tile grid (Shift+T) or Ctrl+drag a region in the viewer.</source>
        <translation>尚无预览。请在查看器中设置入点和出点（I 和 O），然后点击“渲染预览”（Ctrl+R）。要以完整设置查看 FlashVSR 的效果，请点击分块网格（Shift+T）中的一个分块，或在查看器中按住 Ctrl 拖出一个区域。</translation>
    </message>
    <message>
        <source>Region frames:</source>
        <translation>区域帧数：</translation>
    </message>
    <message>
        <source>Frames a region preview shows: the current frame and the ones after it. Up to %1 frames before it are rendered first, because FlashVSR needs a run-up.</source>
        <translation>区域预览显示的帧数：当前帧及其后的帧。由于 FlashVSR 需要预热，会先渲染它之前最多 %1 帧。</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>ui::ComparisonWidget</name>
    <message>
        <source>|After − Before| × %1</source>
        <translation>|之后 − 之前| × %1</translation>
    </message>
</context>
<context>
    <name>ui::CountdownDialog</name>
    <message>
        <source>The queue is finished</source>
        <translation>队列已完成</translation>
    </message>
    <message>
        <source>Do It &amp;Now</source>
        <translation>立即执行(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
</context>
<context>
    <name>ui::DeviceListModel</name>
    <message>
        <source>GPU %1: %2</source>
        <translation>GPU %1：%2</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation>%1 °C</translation>
    </message>
    <message>
        <source>%1 W</source>
        <translation>%1 W</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>负载</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>功耗</translation>
    </message>
    <message>
        <source>Ticked: the queue runs jobs on this GPU.</source>
        <translation>勾选：队列会在此 GPU 上运行任务。</translation>
    </message>
</context>
<context>
    <name>ui::DevicePanel</name>
    <message>
        <source>Memory: %1</source>
        <translation>显存：%1</translation>
    </message>
    <message>
        <source>Load %1 · %2 · %3</source>
        <translation>负载 %1 · %2 · %3</translation>
    </message>
    <message>
        <source>Memory %</source>
        <translation>显存 %</translation>
    </message>
    <message>
        <source>Load %</source>
        <translation>负载 %</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>No NVIDIA driver found (%1). FlashVSR will run on the CPU, which is very slow; classic scalers are unaffected.</source>
        <translation>未找到 NVIDIA 驱动（%1）。FlashVSR 将在 CPU 上运行，速度非常慢；经典缩放不受影响。</translation>
    </message>
    <message>
        <source>NVML not available</source>
        <translation>NVML 不可用</translation>
    </message>
    <message>
        <source>The NVIDIA driver %1 reports no GPU.</source>
        <translation>NVIDIA 驱动 %1 未报告任何 GPU。</translation>
    </message>
    <message numerus="yes">
        <source>NVIDIA driver %1 · %n GPU(s)</source>
        <translation>
            <numerusform>NVIDIA 驱动 %1 · %n 个 GPU</numerusform>
        </translation>
    </message>
    <message>
        <source>Frames/s</source>
        <translation>帧/秒</translation>
    </message>
    <message>
        <source>Current job: %1</source>
        <translation>当前任务：%1</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Use for the queue</source>
        <translation>用于队列</translation>
    </message>
    <message>
        <source>Jobs of the queue run on the ticked GPUs, one worker each.</source>
        <translation>队列中的任务在勾选的 GPU 上运行，每个 GPU 一个工作线程。</translation>
    </message>
</context>
<context>
    <name>ui::JobQueueModel</name>
    <message>
        <source>%1 / %2 (%3%)</source>
        <translation>%1 / %2（%3%）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>fps</source>
        <translation>帧/秒</translation>
    </message>
    <message>
        <source>ETA</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>已排队</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>ui::LogModel</name>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>ui::LogPanel</name>
    <message>
        <source>Save log</source>
        <translation>保存日志</translation>
    </message>
    <message>
        <source>Log files (*.log *.txt)</source>
        <translation>日志文件 (*.log *.txt)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>%1 and above</source>
        <translation>%1及以上</translation>
    </message>
    <message>
        <source>Show messages of this level and above</source>
        <translation>显示此级别及以上的消息</translation>
    </message>
    <message>
        <source>Filter messages</source>
        <translation>筛选消息</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Save the shown messages to a text file</source>
        <translation>将显示的消息保存为文本文件</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
</context>
<context>
    <name>ui::MainWindow</name>
    <message>
        <source>Videos and pictures (*.mp4 *.mkv *.mov *.avi *.webm *.m4v *.mxf *.ts *.m2ts *.mts *.mpg *.mpeg *.wmv *.flv *.y4m *.3gp *.png *.jpg *.jpeg *.tif *.tiff *.dpx *.exr *.bmp *.webp);;All files (*)</source>
        <translation>视频和图片 (*.mp4 *.mkv *.mov *.avi *.webm *.m4v *.mxf *.ts *.m2ts *.mts *.mpg *.mpeg *.wmv *.flv *.y4m *.3gp *.png *.jpg *.jpeg *.tif *.tiff *.dpx *.exr *.bmp *.webp);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Copied: %1</source>
        <translation>已复制：%1</translation>
    </message>
    <message>
        <source>No videos or picture folders found there.</source>
        <translation>那里没有找到视频或图片文件夹。</translation>
    </message>
    <message numerus="yes">
        <source>Added %n item(s).</source>
        <translation>
            <numerusform>已添加 %n 项。</numerusform>
        </translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>%1×%2</source>
        <translation>%1×%2</translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation>%1 fps</translation>
    </message>
    <message>
        <source>%1-bit</source>
        <translation>%1 位</translation>
    </message>
    <message>
        <source>HDR</source>
        <translation>HDR</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s)</source>
        <translation>
            <numerusform>%n 帧</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n frame(s)</source>
        <translation>
            <numerusform>约 %n 帧</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — FlashVSR Studio</source>
        <translation>%1 — FlashVSR Studio</translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>Open videos or pictures</source>
        <translation>打开视频或图片</translation>
    </message>
    <message>
        <source>Open a folder (searched for videos and picture sequences)</source>
        <translation>打开文件夹（在其中查找视频和图片序列）</translation>
    </message>
    <message>
        <source>%1 no longer exists.</source>
        <translation>%1 已不存在。</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>没有最近的文件</translation>
    </message>
    <message>
        <source>FlashVSR Studio</source>
        <translation>FlashVSR Studio</translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation>查看器</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Media</source>
        <translation>媒体</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Playback</source>
        <translation>播放(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open videos or pictures (Ctrl+O)</source>
        <translation>打开视频或图片（Ctrl+O）</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open every video and picture sequence in a folder</source>
        <translation>打开文件夹中的所有视频和图片序列</translation>
    </message>
    <message>
        <source>&amp;Clear Recent Files</source>
        <translation>清除最近文件(&amp;C)</translation>
    </message>
    <message>
        <source>Copy &amp;Command Line</source>
        <translation>复制命令行(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Viewer</source>
        <translation>查看器(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation>对比(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>Follow the &amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;System Language</source>
        <translation>系统语言(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;About FlashVSR Studio</source>
        <translation>关于 FlashVSR Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>Double-click to view. Drop files or folders on the window to add them; Delete removes the selection.</source>
        <translation>双击查看。把文件或文件夹拖到窗口上即可添加；按 Delete 移除所选项。</translation>
    </message>
    <message>
        <source>The queue cannot be saved; see the log.</source>
        <translation>无法保存队列；请查看日志。</translation>
    </message>
    <message>
        <source>Settings of %1 loaded; change them, then Apply Current Settings.</source>
        <translation>已载入 %1 的设置；修改后请点击“应用当前设置”。</translation>
    </message>
    <message>
        <source>Queue finished: %1 done, %2 failed.</source>
        <translation>队列已完成：%1 个成功，%2 个失败。</translation>
    </message>
    <message>
        <source>Fix the settings marked in the Parameters panel first.</source>
        <translation>请先修正参数面板中标出的设置。</translation>
    </message>
    <message numerus="yes">
        <source>Queued %n job(s).</source>
        <translation>
            <numerusform>已加入 %n 个任务。</numerusform>
        </translation>
    </message>
    <message>
        <source>Open a video or drop files on the queue first.</source>
        <translation>请先打开视频，或将文件拖到队列中。</translation>
    </message>
    <message numerus="yes">
        <source>New settings for %n job(s).</source>
        <translation>
            <numerusform>已为 %n 个任务应用新设置。</numerusform>
        </translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>&amp;Queue</source>
        <translation>队列(&amp;Q)</translation>
    </message>
    <message>
        <source>Show &amp;Tile Grid</source>
        <translation>显示分块网格(&amp;T)</translation>
    </message>
    <message>
        <source>Draw the tiles the current tiling settings cut each frame into</source>
        <translation>绘制当前分块设置把每帧切分成的分块</translation>
    </message>
    <message>
        <source>&amp;Model Manager…</source>
        <translation>模型管理器(&amp;M)…</translation>
    </message>
    <message>
        <source>Which FlashVSR model files are there, verify them, choose the model folder</source>
        <translation>查看有哪些 FlashVSR 模型文件、校验它们、选择模型文件夹</translation>
    </message>
    <message>
        <source>Replace the existing output?</source>
        <translation>替换已有的输出？</translation>
    </message>
    <message>
        <source>%1 exists already. Replace it when the job runs?

No leaves this input out of the queue; change the output name to keep both.</source>
        <translation>%1 已存在。任务运行时替换它吗？

选择“否”则不把此输入加入队列；如需两者都保留，请修改输出名称。</translation>
    </message>
    <message>
        <source>Open a video first.</source>
        <translation>请先打开一个视频。</translation>
    </message>
</context>
<context>
    <name>ui::MediaListModel</name>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Image sequence</source>
        <translation>图像序列</translation>
    </message>
    <message>
        <source>%1×%2</source>
        <translation>%1×%2</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>帧数</translation>
    </message>
</context>
<context>
    <name>ui::ModelManagerDialog</name>
    <message>
        <source>matches the released file</source>
        <translation>与官方发布的文件一致</translation>
    </message>
    <message>
        <source>no released checksum to compare with</source>
        <translation>没有可供比较的官方校验和</translation>
    </message>
    <message>
        <source>differs from the released file</source>
        <translation>与官方发布的文件不同</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Checksums computed.</source>
        <translation>校验和已计算完毕。</translation>
    </message>
    <message>
        <source>Computing checksums (reads every byte)…</source>
        <translation>正在计算校验和（会读取每个字节）…</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>已存在</translation>
    </message>
    <message>
        <source>Download %1 from %2 into %3</source>
        <translation>从 %2 下载 %1 到 %3</translation>
    </message>
    <message>
        <source>FlashVSR %1</source>
        <translation>FlashVSR %1</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>%1 missing, %2 with problems</source>
        <translation>缺少 %1 个，%2 个有问题</translation>
    </message>
    <message>
        <source>Model Manager</source>
        <translation>模型管理器</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Default ($FLASHVSR_MODEL_DIR or the models folder)</source>
        <translation>默认（$FLASHVSR_MODEL_DIR 或模型文件夹）</translation>
    </message>
    <message>
        <source>Use Default</source>
        <translation>使用默认</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>校验(&amp;V)</translation>
    </message>
    <message>
        <source>Compute the SHA-256 of every file and compare it with the released files</source>
        <translation>计算每个文件的 SHA-256 并与官方发布的文件比较</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Where to get it</source>
        <translation>获取地址</translation>
    </message>
</context>
<context>
    <name>ui::ParameterPanel</name>
    <message>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
    <message>
        <source>Output: %1</source>
        <translation>输出：%1</translation>
    </message>
    <message>
        <source>Example for an input named clip.mp4</source>
        <translation>以名为 clip.mp4 的输入为例</translation>
    </message>
    <message>
        <source>(modified)</source>
        <translation>（已修改）</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <source>Preset name:</source>
        <translation>预设名称：</translation>
    </message>
    <message>
        <source>Import preset</source>
        <translation>导入预设</translation>
    </message>
    <message>
        <source>Presets (*.json)</source>
        <translation>预设 (*.json)</translation>
    </message>
    <message>
        <source>%1 cannot be imported: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>Export preset</source>
        <translation>导出预设</translation>
    </message>
    <message>
        <source>Delete preset</source>
        <translation>删除预设</translation>
    </message>
    <message>
        <source>Delete the preset &quot;%1&quot;?</source>
        <translation>删除预设“%1”？</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <source>Save the current values as a preset</source>
        <translation>将当前值保存为预设</translation>
    </message>
    <message>
        <source>Import a preset file (JSON)</source>
        <translation>导入预设文件（JSON）</translation>
    </message>
    <message>
        <source>Export the current values as a preset file (JSON)</source>
        <translation>将当前值导出为预设文件（JSON）</translation>
    </message>
    <message>
        <source>Delete this preset (your presets only)</source>
        <translation>删除此预设（仅限你的预设）</translation>
    </message>
    <message>
        <source>Copy command line</source>
        <translation>复制命令行</translation>
    </message>
    <message>
        <source>Copy the equivalent flashvsr command for the current input to the clipboard</source>
        <translation>将当前输入对应的 flashvsr 命令复制到剪贴板</translation>
    </message>
    <message>
        <source>Range: %1 to %2</source>
        <translation>范围：%1 到 %2</translation>
    </message>
    <message>
        <source>Command line: --%1</source>
        <translation>命令行：--%1</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
</context>
<context>
    <name>ui::PlayerWidget</name>
    <message>
        <source>%1  (frame %2 of %3)</source>
        <translation>%1（第 %2 帧，共 %3 帧）</translation>
    </message>
    <message>
        <source>In/out: whole clip</source>
        <translation>入点/出点：整个片段</translation>
    </message>
    <message>
        <source>In %1 · Out %2 (%3 frames)</source>
        <translation>入点 %1 · 出点 %2（%3 帧）</translation>
    </message>
    <message>
        <source>▶ %1×</source>
        <translation>▶ %1×</translation>
    </message>
    <message>
        <source>◀ %1×</source>
        <translation>◀ %1×</translation>
    </message>
    <message>
        <source>Play / Pause</source>
        <translation>播放/暂停</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Shuttle forward</source>
        <translation>快进</translation>
    </message>
    <message>
        <source>Shuttle reverse</source>
        <translation>快退</translation>
    </message>
    <message>
        <source>Next frame</source>
        <translation>下一帧</translation>
    </message>
    <message>
        <source>Previous frame</source>
        <translation>上一帧</translation>
    </message>
    <message>
        <source>First frame</source>
        <translation>第一帧</translation>
    </message>
    <message>
        <source>Last frame</source>
        <translation>最后一帧</translation>
    </message>
    <message>
        <source>Set in point</source>
        <translation>设置入点</translation>
    </message>
    <message>
        <source>Set out point</source>
        <translation>设置出点</translation>
    </message>
    <message>
        <source>Go to in point</source>
        <translation>转到入点</translation>
    </message>
    <message>
        <source>Go to out point</source>
        <translation>转到出点</translation>
    </message>
    <message>
        <source>Clear in/out</source>
        <translation>清除入点/出点</translation>
    </message>
    <message>
        <source>Zoom to fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Actual size (1:1)</source>
        <translation>实际大小 (1:1)</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Scrub through the clip</source>
        <translation>拖动浏览片段</translation>
    </message>
    <message>
        <source>Loop in/out range</source>
        <translation>循环播放入点/出点范围</translation>
    </message>
    <message>
        <source>Drop videos or folders of pictures here, or use File › Open.

Wheel: zoom · Drag: pan · Double-click: fit · Ctrl+drag or a click on a tile of the grid: preview that region at full settings</source>
        <translation>把视频或图片文件夹拖到这里，或使用“文件 › 打开”。

滚轮：缩放 · 拖动：平移 · 双击：适应窗口 · 按住 Ctrl 拖动或点击网格中的分块：以完整设置预览该区域</translation>
    </message>
</context>
<context>
    <name>ui::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>Viewer cache:</source>
        <translation>查看器缓存：</translation>
    </message>
    <message>
        <source> frames</source>
        <translation> 帧</translation>
    </message>
    <message>
        <source>Decoded frames the viewer keeps for quick scrubbing.</source>
        <translation>查看器保留的已解码帧数，用于快速拖动浏览。</translation>
    </message>
    <message>
        <source>Preview memory:</source>
        <translation>预览内存：</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>Memory for rendered comparison frames; longer ranges are cut to fit.</source>
        <translation>用于存放已渲染对比帧的内存；范围过长时会截短以适应。</translation>
    </message>
    <message>
        <source>GPU polling interval:</source>
        <translation>GPU 轮询间隔：</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
</context>
<context>
    <name>ui::PresetListModel</name>
    <message>
        <source>Your preset</source>
        <translation>你的预设</translation>
    </message>
</context>
<context>
    <name>ui::PreviewRenderer</name>
    <message>
        <source>Bicubic</source>
        <translation>双三次</translation>
    </message>
    <message>
        <source>Lanczos-3</source>
        <translation>Lanczos-3</translation>
    </message>
</context>
<context>
    <name>ui::QueuePanel</name>
    <message>
        <source>Add to Queue</source>
        <translation>加入队列</translation>
    </message>
    <message>
        <source>Add the open file(s) with the current settings (or drop files and folders on the table)</source>
        <translation>用当前设置添加已打开的文件（也可以将文件和文件夹拖到表格上）</translation>
    </message>
    <message>
        <source>Start Queue</source>
        <translation>开始队列</translation>
    </message>
    <message>
        <source>Stop Queue</source>
        <translation>停止队列</translation>
    </message>
    <message>
        <source>Pause the running jobs and start no new ones</source>
        <translation>暂停正在运行的任务，并且不再启动新任务</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop the selected jobs, keeping their finished segments</source>
        <translation>停止所选任务，保留已完成的分段</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Continue the selected paused jobs from their checkpoints</source>
        <translation>从检查点继续所选的已暂停任务</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Run failed or cancelled jobs again, resuming where they stopped</source>
        <translation>重新运行失败或已取消的任务，从停止处继续</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Move Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Load Settings into the Panel</source>
        <translation>将设置载入参数面板</translation>
    </message>
    <message>
        <source>Show the job&apos;s settings in the Parameters panel to edit them</source>
        <translation>在参数面板中显示该任务的设置以便编辑</translation>
    </message>
    <message>
        <source>Apply Current Settings</source>
        <translation>应用当前设置</translation>
    </message>
    <message>
        <source>Give the selected jobs the Parameters panel&apos;s settings</source>
        <translation>将参数面板中的设置应用到所选任务</translation>
    </message>
    <message>
        <source>When the queue is done:</source>
        <translation>队列完成后：</translation>
    </message>
    <message>
        <source>Do nothing</source>
        <translation>不执行任何操作</translation>
    </message>
    <message>
        <source>Quit FlashVSR Studio</source>
        <translation>退出 FlashVSR Studio</translation>
    </message>
    <message>
        <source>Suspend the computer</source>
        <translation>挂起计算机</translation>
    </message>
    <message>
        <source>Shut down the computer</source>
        <translation>关闭计算机</translation>
    </message>
    <message>
        <source>Run a command</source>
        <translation>运行命令</translation>
    </message>
    <message>
        <source>Not available: logind (systemd) cannot be reached on the system bus.</source>
        <translation>不可用：无法通过系统总线连接 logind（systemd）。</translation>
    </message>
    <message>
        <source>Command, run with /bin/sh -c</source>
        <translation>命令，用 /bin/sh -c 运行</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详细信息</translation>
    </message>
</context>
<context>
    <name>ui::ResumeDialog</name>
    <message>
        <source>No checkpoint: starts over</source>
        <translation>没有检查点：将从头开始</translation>
    </message>
    <message>
        <source>%1 / %2 frames (%3%)</source>
        <translation>%1 / %2 帧（%3%）</translation>
    </message>
    <message>
        <source>Resume interrupted jobs</source>
        <translation>恢复中断的任务</translation>
    </message>
    <message>
        <source>FlashVSR Studio stopped while these jobs were running. Finished segments are kept; ticked jobs continue from their checkpoints, the others stay paused in the queue.</source>
        <translation>FlashVSR Studio 在这些任务运行时停止了。已完成的分段都已保留；勾选的任务将从检查点继续，其余任务在队列中保持暂停。</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>&amp;Resume Ticked</source>
        <translation>恢复勾选的任务(&amp;R)</translation>
    </message>
    <message>
        <source>Keep &amp;Paused</source>
        <translation>保持暂停(&amp;P)</translation>
    </message>
</context>
</TS>
